import CallingTransport
import Foundation
import Testing

/// `calling login --device` against `calling emulator`, the test approving the code as the user
/// would on another device.
@Suite("calling login --device", .timeLimit(.minutes(1)))
struct DeviceLoginTests {
    /// A device login against an emulator started with `emulator`, approved by opening the
    /// page it prints (with the code filled in): the login, once it has ended, and what it showed.
    func approvedLogin(emulator arguments: [String]) async throws -> (login: CallingProcess, shown: [String: Any], tokenFile: String) {
        let (emulator, base) = try await CallingProcess.emulator(["--device-poll-interval", "1"] + arguments)
        defer { emulator.interrupt() }
        let tokenFile = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString)/tokens.json").path
        let login = try CallingProcess(["login", "--device", "--emulator", base, "--token-file", tokenFile, "--json"])
        let line = try await login.line { $0.contains(#""event":"device""#) }
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let complete = try #require((shown["verificationUriComplete"] as? String).flatMap(URL.init(string:)))
        #expect(try await URLSessionTransport().send(HTTPRequest(method: .get, url: complete)).status == 200)
        _ = await login.exitStatus()
        return (login, shown, tokenFile)
    }

    @Test("prints the URL and code, waits for the approval, saves the tokens; never prints the device code")
    func approve() async throws {
        let (login, shown, tokenFile) = try await approvedLogin(emulator: [])
        #expect((shown["userCode"] as? String)?.count == 9)
        #expect(await login.exitStatus() == 0, "\(login.error)")
        #expect(login.output.contains(#""event":"logged-in""#))
        #expect(FileManager.default.fileExists(atPath: tokenFile))
        #expect(!login.output.contains("emu-dc-") && !login.error.contains("emu-dc-"))
        #expect(!login.output.contains("emu-at-") && !login.output.contains("emu-rt-"))
    }

    @Test("two 503s from the token endpoint while polling are waited out: the approved login still succeeds (#20 case 9)")
    func transientFailures() async throws {
        let (login, _, tokenFile) = try await approvedLogin(emulator: ["--fault", "device-token=503x2"])
        #expect(await login.exitStatus() == 0, "\(login.output)\n\(login.error)")
        #expect(FileManager.default.fileExists(atPath: tokenFile))
    }

    @Test("Ctrl-C while waiting stops the login with exit 1 and saves nothing")
    func interrupted() async throws {
        let (emulator, base) = try await CallingProcess.emulator()
        defer { emulator.interrupt() }
        let tokenFile = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString)/tokens.json").path
        let login = try CallingProcess(["login", "--device", "--emulator", base, "--token-file", tokenFile])
        _ = try await login.line { $0.hasPrefix("To log in, open ") }
        login.interrupt()
        #expect(await login.exitStatus() == 1)
        #expect(login.error.contains("stopped before it was approved"))
        #expect(!FileManager.default.fileExists(atPath: tokenFile))
    }
}
