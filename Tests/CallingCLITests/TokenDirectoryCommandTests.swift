import CallingTransport
import Foundation
import Testing

/// Many users from the command line: the emulator writes a token directory for its users, and
/// `calling register --token-dir` registers every user's lines with that user's tokens.
@Suite("calling: many users", .timeLimit(.minutes(2)))
struct TokenDirectoryCommandTests {
    let directory = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString)/users").path

    func state(_ base: String) async throws -> [String: Any] {
        let answer = try await URLSessionTransport().send(HTTPRequest(method: .get, url: URL(string: base + "/_emulator/state")!))
        return try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] ?? [:]
    }

    @Test("emulator --users 3 --token-dir writes three private token files; register --token-dir --lines-per-user 2 registers six lines, each with its user's token")
    func registersEveryUser() async throws {
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let (emulator, base) = try await CallingProcess.emulator(["--keepalive-interval", "1", "--users", "3", "--token-dir", directory])
        defer { emulator.interrupt() }
        _ = try await emulator.line { $0.hasPrefix("3 users' tokens in \(directory)") }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == ["emulator-user-1.json", "emulator-user-2.json", "emulator-user-3.json"])
        for file in files {
            #expect(try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")[.posixPermissions] as? Int == 0o600)
        }

        let register = try CallingProcess(["register", "--emulator", base, "--token-dir", directory, "--lines-per-user", "2", "--json"])
        for line in 1...6 {
            _ = try await register.line { $0.contains(#""event":"registered""#) && $0.contains(#""line":\#(line),"#) }
        }
        let registrations = try #require(try await state(base)["registrations"] as? [[String: Any]])
        let owners = registrations.compactMap { $0["userId"] as? String }.sorted()
        #expect(owners == ["emulator-user-1", "emulator-user-1", "emulator-user-2", "emulator-user-2", "emulator-user-3", "emulator-user-3"])
        // Keepalives with another user's token would be refused (403) and show as reconnecting.
        let keepalives = ((try await state(base)["requests"] as? [String: Int])?["keepalive"] ?? 0) + 12
        let deadline = ContinuousClock.now + .seconds(30)
        while ((try await state(base)["requests"] as? [String: Int])?["keepalive"] ?? 0) < keepalives, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!register.output.contains(#""event":"reconnecting""#))
        register.interrupt()
        #expect(await register.exitStatus() == 0)
        #expect((try await state(base)["registrations"] as? [Any])?.isEmpty == true)
        for secret in ["emu-at-", "emu-rt-"] {
            #expect(!register.output.contains(secret) && !register.error.contains(secret) && !emulator.output.contains(secret))
        }
    }

    @Test("bad many-user flags are usage errors; an empty token directory says how to fill it")
    func refusals() async throws {
        let users = try await CallingProcess.run(["emulator", "--users", "3"])
        #expect(users.status == 2)
        #expect(users.error.contains("--users and --token-dir go together"))
        let mixed = try await CallingProcess.run(["register", "--emulator", "http://127.0.0.1:9", "--token-dir", directory, "--lines", "2"])
        #expect(mixed.status == 2)
        #expect(mixed.error.contains("use --lines-per-user, not --lines"))
        let empty = try await CallingProcess.run(["register", "--emulator", "http://127.0.0.1:9", "--token-dir", directory])
        #expect(empty.status == 1)
        #expect(empty.error.contains("no token files in \(directory): write them with `calling emulator --users N --token-dir"))
    }
}
