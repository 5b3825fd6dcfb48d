import CallingTransport
import Foundation
import Testing

@Suite("calling: usage and errors")
struct CommandLineUsageTests {
    @Test("--help prints the commands and exits 0; no command exits 2")
    func help() async throws {
        let help = try await CallingProcess.run(["--help"])
        #expect(help.status == 0)
        for command in ["demo", "emulator", "login", "token", "register"] {
            #expect(help.output.contains("  \(command) "))
        }
        #expect(try await CallingProcess.run([]).status == 2)
    }

    @Test("each command's --help lists its options and exits 0", arguments: ["demo", "emulator", "login", "token", "register"])
    func commandHelp(command: String) async throws {
        let result = try await CallingProcess.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("usage: calling \(command)"))
        #expect(result.output.contains("--json"))
    }

    @Test("the login help shows the redirect URI an integration must register")
    func loginHelp() async throws {
        let result = try await CallingProcess.run(["login", "--help"])
        #expect(result.output.contains("http://127.0.0.1:PORT/callback"))
        #expect(result.output.contains("[env: WEBEX_CLIENT_ID]"))
    }

    @Test("an unknown command or flag exits 2 with a one-line hint")
    func unknown() async throws {
        let command = try await CallingProcess.run(["frobnicate"])
        #expect(command.status == 2)
        #expect(command.error == "calling: unknown command 'frobnicate'; run `calling --help` for the list\n")
        let flag = try await CallingProcess.run(["register", "--frobnicate"])
        #expect(flag.status == 2)
        #expect(flag.error.hasPrefix("calling register: unknown option --frobnicate\n"))
        let value = try await CallingProcess.run(["register", "--lines", "many"])
        #expect(value.status == 2)
        #expect(value.error.contains("--lines must be a whole number"))
    }

    @Test("a missing client id exits 2 with a hint")
    func missingClientID() async throws {
        let result = try await CallingProcess.run(["login", "--no-browser"])
        #expect(result.status == 2)
        #expect(result.error.contains("missing --client-id (or WEBEX_CLIENT_ID)"))
    }

    @Test("a client secret is never taken as a plain flag")
    func noSecretFlag() async throws {
        let result = try await CallingProcess.run(["login", "--client-id", "c", "--client-secret", "s"])
        #expect(result.status == 2)
        #expect(result.error.contains("unknown option --client-secret"))
    }

    @Test("a corrupt token file exits 1 naming the path and the fix")
    func corruptTokenFile() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString).json").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{ not json".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for arguments in [["token", "status", "--token-file", path], ["register", "--emulator", "http://127.0.0.1:9", "--token-file", path]] {
            let result = try await CallingProcess.run(arguments)
            #expect(result.status == 1)
            #expect(result.error.contains(path))
            #expect(result.error.contains("run `calling login` again"))
        }
        #expect(FileManager.default.contents(atPath: path) == Data("{ not json".utf8))
    }

    @Test("token status says an expired refresh token is expired, and prints a year-9999 date (#20 case 10)")
    func tokenStatusDates() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString).json").path
        let tokens = #"""
            {"access_token":"AT","access_token_expires_at":"9999-12-31T23:59:59Z","refresh_token":"RT",\#
            "refresh_token_expires_at":"2025-01-01T00:00:00Z","scopes":["spark:xsi"],"received_at":"2024-10-03T00:00:00Z"}
            """#
        #expect(FileManager.default.createFile(atPath: path, contents: Data(tokens.utf8), attributes: [.posixPermissions: 0o600]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await CallingProcess.run(["token", "status", "--token-file", path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("access token: valid until 9999-12-31T23:59:59Z ("), "\(result.output)")
        #expect(result.output.contains("refresh token: expired at 2025-01-01T00:00:00Z; run `calling login`"))
        #expect(!result.output.contains("description unavailable"))
    }

    @Test("a token file other users can read gets a warning with the fix")
    func readableTokenFile() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString).json").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await CallingProcess.run(["token", "status", "--token-file", path])
        #expect(result.error.contains("warning: the token file \(path) can be read by other users (mode 644): run chmod 600 \(path)"))
    }

    @Test("an access token or SIP password file other users can read gets the same warning (#20 case 11)")
    func readableSecretFiles() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString).secret").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("pw-7c1e".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try await CallingProcess.run(["register", "--emulator", "http://127.0.0.1:9", "--access-token-file", path])
        #expect(token.error.contains("warning: the access token file \(path) can be read by other users (mode 644): run chmod 600 \(path)"), "\(token.error)")
        let sip = try CallingProcess(["register", "--sip", "sip:alice@127.0.0.1:9", "--sip-password-file", path])
        _ = try await sip.line { _ in sip.error.contains("warning: the SIP password file \(path) can be read by other users") }
        sip.interrupt()
        _ = await sip.exitStatus()
        for printed in [token.output, token.error, sip.output, sip.error] {
            #expect(!printed.contains("pw-7c1e"))
        }
    }

    @Test("login --scopes takes presets and names, and warns (only) about a scope the documentation does not list")
    func scopes() async throws {
        let (emulator, base) = try await CallingProcess.emulator()
        defer { emulator.interrupt() }
        let login = try CallingProcess(["login", "--no-browser", "--emulator", base, "--scopes", "messaging spark:made_up", "--timeout", "1"])
        let url = try await login.line { $0.contains("/v1/authorize?") }
        let scope = URLComponents(string: url)?.queryItems?.first { $0.name == "scope" }?.value
        #expect(scope == "spark:messages_read spark:messages_write spark:rooms_read spark:rooms_write spark:memberships_read spark:memberships_write spark:made_up")
        _ = await login.exitStatus()
        #expect(login.error.contains("warning: spark:made_up is not a scope the Webex documentation lists"))
        #expect(!login.error.contains("warning: spark:messages_read"))
    }

    @Test(
        "emulator --fault: bad specs and unknown servers are usage errors (exit 2), never a crash",
        arguments: ["register=x", "register=@", "register=503x4000000000000", "register=503x", "register=503@", "nowhere=refuse", "=503", "register"]
    )
    func badFaults(spec: String) async throws {
        let result = try await CallingProcess.run(["emulator", "--fault", spec])
        #expect(result.status == 2, "\(spec): \(result.error)")
        #expect(result.error.hasPrefix("calling emulator: --fault"), "\(result.error)")
    }

    @Test(
        "nonsense that used to pass silently is a usage error",
        arguments: [
            (["register", "stray"], "unexpected argument 'stray'"),
            (["token", "status", "extra"], "unexpected argument 'extra'"),
            (["register", "--token-file="], "--token-file needs a value"),
            (["login", "--client-id", "c", "--client-secret-file", "EMPTY"], "is empty: write the integration's client secret into it"),
        ]
    )
    func silentNonsense(arguments: [String], message: String) async throws {
        let empty = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../Fixtures/empty-secret.txt").standardized.path
        let result = try await CallingProcess.run(arguments.map { $0 == "EMPTY" ? empty : $0 })
        #expect(result.status == 2)
        #expect(result.error.contains(message), "\(result.error)")
    }

    @Test("--version prints the package version")
    func version() async throws {
        let result = try await CallingProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == "calling \(SwiftCalling.version)\n")
    }

    @Test("with --json, an error is one JSON object on standard output with event error and the exit status")
    func jsonErrors() async throws {
        for (arguments, status) in [(["register", "--lines", "many", "--json"], 2), (["token", "status", "--token-file", "/nonexistent/t.json", "--json"], 1)] {
            let result = try await CallingProcess.run(arguments)
            #expect(result.status == Int32(status))
            #expect(result.error.isEmpty)
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(object["event"] as? String == "error")
            #expect(object["exitStatus"] as? Int == status)
            #expect((object["message"] as? String)?.hasPrefix("calling ") == true)
        }
    }

    @Test("no tokens yet: token status says to log in")
    func noTokens() async throws {
        let result = try await CallingProcess.run(["token", "status", "--token-file", "/nonexistent/tokens.json"])
        #expect(result.status == 1)
        #expect(result.error.contains("run `calling login` first"))
    }
}
