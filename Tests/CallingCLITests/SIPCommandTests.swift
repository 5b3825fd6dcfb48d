import CallingKamailio
import CallingTestSupport
import Foundation
import Testing

/// `calling register --sip`: SIP lines from the command line, against Kamailio for the flow and
/// without it for the usage errors.
@Suite("calling register --sip", .timeLimit(.minutes(1)))
struct SIPCommandTests {
    func passwordFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "sip-password-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "three lines register as three contacts over TCP, stream JSON events, and Ctrl-C removes every binding",
        .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
    )
    func registerAndInterrupt() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        let register = try CallingProcess([
            "register", "--sip", "sip:alice@127.0.0.1:\(kamailio.port)", "--sip-password-file", try passwordFile("alice-secret\n"),
            "--sip-transport", "tcp", "--lines", "3", "--json",
        ])
        for number in 1...3 {
            _ = try await register.line { $0.contains(#""event":"registered""#) && $0.contains(#""line":\#(number),"#) }
        }
        let contacts = try kamailio.contacts(of: "alice")
        #expect(contacts.count == 3)
        #expect(contacts.allSatisfy { $0.contains(";transport=tcp") })
        register.interrupt()
        #expect(await register.exitStatus() == 0, "\(register.output)\n\(register.error)")
        #expect(try kamailio.contacts(of: "alice").isEmpty)
        #expect(!register.output.contains("alice-secret") && !register.error.contains("alice-secret"))
    }

    @Test(
        "a wrong SIP password ends the command with exit 1 and the reason, never the password",
        .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
    )
    func wrongPassword() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        let result = try await CallingProcess.run([
            "register", "--sip", "sip:alice@127.0.0.1:\(kamailio.port)", "--sip-password-file", try passwordFile("hunter2"),
        ])
        #expect(result.status == 1)
        #expect(result.error.contains("check the SIP user and password"), "\(result.error)")
        #expect(!result.output.contains("hunter2") && !result.error.contains("hunter2"))
    }

    @Test(
        "misused SIP options exit 2 with a hint",
        arguments: [
            (["--sip", "sip:alice@127.0.0.1"], "--sip needs --sip-password-file"),
            (["--sip", "alice@127.0.0.1", "--sip-password-file", "/dev/null"], "--sip must be a SIP user's address"),
            (["--sip", "sip:127.0.0.1", "--sip-password-file", "/dev/null"], "--sip must be a SIP user's address"),
            (["--sip", "sip:alice@127.0.0.1", "--sip-transport", "sctp", "--sip-password-file", "/dev/null"], "--sip-transport must be udp or tcp"),
            (["--sip-password-file", "/dev/null"], "--sip-password-file needs --sip URI"),
            (["--sip", "sip:alice@127.0.0.1", "--sip-password-file", "/dev/null", "--emulator", "http://127.0.0.1:1"], "give one"),
        ]
    )
    func usage(arguments: [String], hint: String) async throws {
        let result = try await CallingProcess.run(["register"] + arguments)
        #expect(result.status == 2)
        #expect(result.error.contains(hint), "\(result.error)")
    }

    @Test("an empty or missing password file exits 1 naming the file")
    func passwordFileProblems() async throws {
        let empty = try passwordFile("\n")
        let emptyResult = try await CallingProcess.run(["register", "--sip", "sip:alice@127.0.0.1", "--sip-password-file", empty])
        #expect(emptyResult.status == 1)
        #expect(emptyResult.error.contains("the SIP password file \(empty) is empty"))
        let missing = try await CallingProcess.run(["register", "--sip", "sip:alice@127.0.0.1", "--sip-password-file", "/nonexistent/pw"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("cannot read the SIP password file /nonexistent/pw"))
    }
}
