import CallingTestSupport
import CallingTransport
import Foundation
import Testing

/// `calling login`'s redirect page and terminal output with hostile or failing input: what the
/// network sends is escaped in the page and on the terminal, a redirect without this login's
/// state never ends it, and the browser hears the real outcome.
@Suite("calling login: the login page and the terminal", .serialized, .timeLimit(.minutes(1)))
struct LoginPageTests {
    /// An emulator and a login waiting for its redirect.
    struct PendingLogin {
        let emulator: CallingProcess
        let login: CallingProcess
        let base: String
        let authorize: URL
        let state: String
        let redirectURI: String

        init() async throws {
            (emulator, base) = try await CallingProcess.emulator()
            let tokenFile = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString)/tokens.json").path
            login = try CallingProcess(["login", "--no-browser", "--emulator", base, "--token-file", tokenFile])
            authorize = URL(string: try await login.line { $0.hasPrefix("http://127.0.0.1") && $0.contains("/v1/authorize?") })!
            let query = URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems ?? []
            state = try #require(query.first { $0.name == "state" }?.value)
            redirectURI = try #require(query.first { $0.name == "redirect_uri" }?.value)
        }

        /// The login page's answer to a redirect with `query` (percent-encoded).
        func redirect(_ query: String) async throws -> (status: Int, page: String) {
            let response = try await URLSessionTransport().send(HTTPRequest(method: .get, url: URL(string: "\(redirectURI)?\(query)")!))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }

        /// Follows the authorize URL as a browser would (the emulator approves at once).
        func approve() async throws -> (status: Int, page: String) {
            let transport = URLSessionTransport()
            let redirect = try await transport.send(HTTPRequest(method: .get, url: authorize))
            let callback = try await transport.send(HTTPRequest(method: .get, url: URL(string: redirect.headers["Location"]!)!))
            return (callback.status, String(decoding: callback.body, as: UTF8.self))
        }

        func stop() {
            login.interrupt()
            emulator.interrupt()
        }
    }

    @Test("an error redirect's text is escaped in the page and on the terminal")
    func hostileError() async throws {
        let pending = try await PendingLogin()
        defer { pending.stop() }
        let answer = try await pending.redirect("error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%1B%5B2J&state=\(pending.state)")
        #expect(answer.status == 400)
        #expect(answer.page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!answer.page.contains("<script>"))
        #expect(await pending.login.exitStatus() == 1)
        #expect(pending.login.error.contains("access_denied"))
        #expect(pending.login.error.contains("\\u{1B}[2J"))
        #expect(!pending.login.error.contains("\u{1B}"))
    }

    @Test("an error redirect without this login's state is refused, and the login goes on to succeed")
    func forgedError() async throws {
        let pending = try await PendingLogin()
        defer { pending.stop() }
        for query in ["error=access_denied&state=forged", "error=access_denied"] {
            let forged = try await pending.redirect(query)
            #expect(forged.status == 400)
            #expect(forged.page.contains("does not belong to the login in progress"))
        }
        let real = try await pending.approve()
        #expect(real.status == 200)
        #expect(real.page.contains("Logged in."))
        #expect(await pending.login.exitStatus() == 0)
    }

    @Test("the page waits for the code exchange: when it fails, the browser is told so")
    func exchangeFails() async throws {
        let pending = try await PendingLogin()
        defer { pending.stop() }
        var fault = HTTPRequest(
            method: .post, url: URL(string: pending.base + "/_emulator/fault")!,
            body: Data(#"{"endpoint": "token", "status": 400, "body": "{\"error\": \"invalid_grant\"}"}"#.utf8)
        )
        fault.headers["Content-Type"] = "application/json"
        #expect(try await URLSessionTransport().send(fault).status == 200)
        let answer = try await pending.approve()
        #expect(answer.status == 502)
        #expect(answer.page.contains("The login failed: the code exchange failed"))
        #expect(await pending.login.exitStatus() == 1)
    }

    @Test("control characters in an argument are escaped in the error")
    func hostileArgument() async throws {
        let result = try await CallingProcess.run(["register", "--lines", "\u{1B}[2J\u{07}"])
        #expect(result.status == 2)
        #expect(result.error.contains("\\u{1B}[2J\\u{7}"))
        #expect(!result.error.contains("\u{1B}"))
        let reversed = try await CallingProcess.run(["register", "--lines", "1\u{202E}2"])
        #expect(reversed.error.contains("1\\u{202E}2"), "a bidirectional override is escaped too (#20 case 11)")
        #expect(!reversed.error.contains("\u{202E}"))
    }

    @Test("idle connections to the login listener never keep the browser's redirect out")
    func idleConnections() async throws {
        let pending = try await PendingLogin()
        defer { pending.stop() }
        let port = try #require(URLComponents(string: pending.redirectURI)?.port)
        var idle: [RawConnection] = []
        for _ in 0..<40 {
            idle.append(try await RawConnection.open(port: UInt16(port)))
        }
        let answer = try await pending.approve()
        #expect(answer.status == 200)
        #expect(await pending.login.exitStatus() == 0)
    }
}
