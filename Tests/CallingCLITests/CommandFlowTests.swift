import CallingTransport
import Foundation
import Testing

@Suite("calling: flows against the emulator", .serialized, .timeLimit(.minutes(2)))
struct CommandFlowTests {
    static let secrets = ["emu-at-", "emu-rt-", "emu-code-", "emulator-secret", "code_verifier"]

    func expectNoSecrets(_ texts: String...) {
        for text in texts {
            for secret in Self.secrets {
                #expect(!text.contains(secret), "\(secret) printed")
            }
        }
    }

    @Test("demo: exits 0 and shows login, registration, keepalives, failover, rehoming and deregistration in order")
    func demo() async throws {
        let result = try await CallingProcess.run(["demo"])
        #expect(result.status == 0, "\(result.error)")
        let steps = ["emulator listening on http://127.0.0.1:", "logged in:", "line 1: connecting", "line 1: registered on primary",
                     "keepalive 2 → HTTP 200", "taking the primary server down", "line 1: reconnecting", "line 1: registered on backup",
                     "bringing the primary server back", "line 1: registered on primary", "0 devices left"]
        var position = result.output.startIndex
        for step in steps {
            guard let found = result.output.range(of: step, range: position..<result.output.endIndex) else {
                Issue.record("missing or out of order: \(step)\n\(result.output)")
                return
            }
            position = found.upperBound
        }
        expectNoSecrets(result.output, result.error)
    }

    @Test("demo --json prints one JSON object per line")
    func demoJSON() async throws {
        let result = try await CallingProcess.run(["demo", "--json"])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count > 20)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] != nil, "\(line)")
        }
    }

    /// An emulator in a child process, and a login against it (the test following the URL).
    struct LoggedIn {
        let emulator: CallingProcess
        let login: CallingProcess
        let base: String
        let tokenFile: String
        /// The flags every command against this emulator takes.
        var shared: [String] { ["--emulator", base, "--token-file", tokenFile] }

        init(emulator arguments: [String] = []) async throws {
            (emulator, base) = try await CallingProcess.emulator(["--keepalive-interval", "1"] + arguments)
            #expect(emulator.output.hasPrefix("emulator listening on http://127.0.0.1:"))
            tokenFile = FileManager.default.temporaryDirectory.appending(path: "calling-\(UUID().uuidString)/tokens.json").path
            login = try CallingProcess(["login", "--no-browser", "--emulator", base, "--token-file", tokenFile])
            let authorize = try await login.line { $0.hasPrefix("http://127.0.0.1") && $0.contains("/v1/authorize?") }
            let transport = URLSessionTransport()
            let redirect = try await transport.send(HTTPRequest(method: .get, url: URL(string: authorize)!))
            #expect(redirect.status == 302)
            let callback = try await transport.send(HTTPRequest(method: .get, url: URL(string: redirect.headers["Location"]!)!))
            #expect(callback.status == 200)
            #expect(await login.exitStatus() == 0)
        }

        /// The registrations the emulator holds now.
        func registrations() async throws -> Int? {
            ((try await state()["registrations"]) as? [Any])?.count
        }

        /// Waits (up to 30 s) until the emulator has received `count` requests to `endpoint`.
        func waitForRequests(to endpoint: String, count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while ((try await state()["requests"] as? [String: Int])?[endpoint] ?? 0) < count {
                guard ContinuousClock.now < deadline else {
                    throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "fewer than \(count) \(endpoint) requests after 30 s"])
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        private func state() async throws -> [String: Any] {
            let state = try await URLSessionTransport().send(HTTPRequest(method: .get, url: URL(string: base + "/_emulator/state")!))
            return try JSONSerialization.jsonObject(with: state.body) as? [String: Any] ?? [:]
        }

        /// Posts JSON to the emulator's admin API.
        func admin(_ path: String, _ json: String) async throws {
            var request = HTTPRequest(method: .post, url: URL(string: base + "/_emulator/" + path)!, body: Data(json.utf8))
            request.headers["Content-Type"] = "application/json"
            let response = try await URLSessionTransport().send(request)
            #expect(response.status == 200)
        }

        func stop() {
            emulator.interrupt()
            try? FileManager.default.removeItem(atPath: (tokenFile as NSString).deletingLastPathComponent)
        }
    }

    @Test("login --no-browser against the emulator, the test following the URL; then token status and register --lines 3 until SIGINT")
    func loginRegisterInterrupt() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let (emulator, login, base, tokenFile, shared) = (session.emulator, session.login, session.base, session.tokenFile, session.shared)
        let transport = URLSessionTransport()
        #expect(login.output.contains("logged in; tokens saved to \(tokenFile)"))
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let status = try await CallingProcess.run(["token", "status", "--token-file", tokenFile])
        #expect(status.status == 0)
        #expect(status.output.contains("access token: valid until"))
        let refresh = try await CallingProcess.run(["token", "refresh"] + shared)
        #expect(refresh.status == 0, "\(refresh.error)")

        let register = try CallingProcess(["register", "--lines", "3", "--json"] + shared)
        for line in 1...3 {
            _ = try await register.line { $0.contains(#""event":"registered""#) && $0.contains(#""line":\#(line)"#) }
        }
        let state = try await transport.send(HTTPRequest(method: .get, url: URL(string: base + "/_emulator/state")!))
        #expect(((try JSONSerialization.jsonObject(with: state.body) as? [String: Any])?["registrations"] as? [Any])?.count == 3)
        register.interrupt()
        #expect(await register.exitStatus() == 0)
        let after = try await transport.send(HTTPRequest(method: .get, url: URL(string: base + "/_emulator/state")!))
        #expect(((try JSONSerialization.jsonObject(with: after.body) as? [String: Any])?["registrations"] as? [Any])?.isEmpty == true)
        #expect(register.output.contains(#""event":"stopped""#))

        emulator.interrupt()
        #expect(await emulator.exitStatus() == 0)
        expectNoSecrets(login.output, login.error, status.output, refresh.output, register.output, register.error, emulator.output)
    }

    @Test("register --verbose: the library's requests (with tracking ids) and decisions are printed, on standard error or as JSON log events; no secret")
    func verbose() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let json = try CallingProcess(["register", "--verbose", "--json"] + session.shared)
        let request = try await json.line { $0.contains(#""event":"log""#) && $0.contains("/status") }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any])
        let metadata = try #require(object["metadata"] as? [String: String])
        #expect(object["level"] as? String == "debug" && object["source"] as? String == "CallingMobius")
        #expect(metadata["trackingid"]?.hasPrefix("swift-calling_") == true && metadata["status"] == "200")
        json.interrupt()
        #expect(await json.exitStatus() == 0)
        #expect(json.output.contains(#""message":"registration attempt""#))
        #expect(json.error.isEmpty, "\(json.error)")

        let text = try CallingProcess(["register", "--verbose"] + session.shared)
        _ = try await text.line { $0.contains("registered on") }
        text.interrupt()
        #expect(await text.exitStatus() == 0)
        #expect(text.error.contains("debug [CallingCore] registration attempt activity=registering with the primaries"), "\(text.error)")
        #expect(text.error.contains("debug [CallingMobius] HTTP request answered"))
        #expect(!text.output.contains("debug ["), "the log stays off standard output")
        let tokens = try String(contentsOfFile: session.tokenFile, encoding: .utf8)
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(tokens.utf8)) as? [String: Any])
        let values = ["access_token", "refresh_token"].compactMap { saved[$0] as? String }
        #expect(values.count == 2)
        for value in values {
            #expect(!json.output.contains(value) && !text.error.contains(value) && !text.output.contains(value))
        }
        expectNoSecrets(json.output, text.output, text.error)
    }

    @Test("register: Ctrl-C while registrations are under way waits for them and removes every device (lifecycle case 3)")
    func interruptDuringRegistration() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        try await session.admin("delay", #"{"endpoint":"register","milliseconds":3000}"#)
        let register = try CallingProcess(["register", "--lines", "5"] + session.shared)
        try await session.waitForRequests(to: "register", count: 5)
        register.interrupt()
        #expect(await register.exitStatus() == 0, "\(register.output)\n\(register.error)")
        #expect(try await session.registrations() == 0)
        #expect(register.output.contains("all lines deregistered"))
    }

    @Test("register: once every line has stopped with a final error, it exits 1 with the reason (lifecycle case 7)")
    func everyLineStopped() async throws {
        let session = try await LoggedIn(emulator: ["--fault", "register=400x10"])
        defer { session.stop() }
        let register = try CallingProcess(["register", "--lines", "2"] + session.shared)
        #expect(await register.exitStatus() == 1)
        #expect(register.output.components(separatedBy: "error: registrationError: Registration request rejected as malformed. bad_request").count == 3, "\(register.output)")
        #expect(register.error.contains("every line stopped with a final error"), "\(register.error)")
        #expect(try await session.registrations() == 0)

        let json = try await CallingProcess.run(["register", "--json"] + session.shared)
        #expect(json.status == 1)
        let objects = json.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let error = try #require(objects.first { $0["event"] as? String == "error" })
        #expect(error["status"] as? String == "inactive")
        #expect(error["type"] as? String == "registrationError")
        #expect(error["msg"] as? String == "Registration request rejected as malformed.")
        #expect(error["code"] as? String == "bad_request")
        #expect(error["httpStatus"] as? Int == 400)
        #expect(error["line"] as? Int == 1)
    }

    @Test("register: a failover stopped by Ctrl-C is resumed by the next run from its state directory, not started over")
    func failoverResumesAfterRestart() async throws {
        let session = try await LoggedIn(emulator: ["--fault", "primary=refuse"])
        defer { session.stop() }
        let state = (session.tokenFile as NSString).deletingLastPathComponent + "/state"
        let saved = state + "/failover-line-1.json"
        func progress() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        }

        let first = try CallingProcess(["register", "--state-dir", state] + session.shared)
        _ = try await first.line { $0.contains("line 1: unregistered: default_error: could not reach") }
        _ = try await first.line { _ in FileManager.default.fileExists(atPath: saved) }
        #expect(try progress()["attempt"] as? Int == 1)
        #expect((try progress()["elapsedSeconds"] as? Double ?? 9) < 1)
        first.interrupt()
        #expect(await first.exitStatus() == 0, "\(first.error)")
        #expect(FileManager.default.fileExists(atPath: saved))
        let mode = try FileManager.default.attributesOfItem(atPath: saved)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Resumed, the line's first decision is to wait out the saved retry; started over, it
        // would attempt at once. The verbose log says which came first.
        let second = try CallingProcess(["register", "--json", "--verbose", "--state-dir", state] + session.shared)
        let scheduled = try await second.line { $0.contains(#""message":"retry scheduled""#) }
        let before = second.output.components(separatedBy: scheduled)[0]
        #expect(!before.contains(#""message":"registration attempt""#), "the second run started over: \(second.output)")
        #expect(try progress()["attempt"] as? Int == 1)
        second.interrupt()
        #expect(await second.exitStatus() == 0, "\(second.error)")
    }

    @Test("8 processes refreshing one token file at once against a rotating server take turns: all succeed, and the saved refresh token is the live one")
    func concurrentRefreshes() async throws {
        let session = try await LoggedIn(emulator: ["--rotate-refresh-tokens"])
        defer { session.stop() }
        let refreshes = try (0..<8).map { _ in try CallingProcess(["token", "refresh"] + session.shared) }
        for refresh in refreshes {
            #expect(await refresh.exitStatus() == 0, "\(refresh.error)")
        }
        let after = try await CallingProcess.run(["token", "refresh"] + session.shared)
        #expect(after.status == 0, "the saved refresh token is the live one: \(after.error)")
        let status = try await CallingProcess.run(["token", "status", "--json"] + session.shared)
        for line in status.output.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["event"] is String, "\(line)")
            for key in ["accessTokenExpiresAt", "refreshTokenExpiresAt"] {
                if let date = object[key] as? String {
                    #expect(date.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil, "\(key): \(date)")
                }
            }
        }
    }

    @Test("register --access-token-file: a token the script already has registers lines; a refused one stops them with the reason")
    func givenAccessToken() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: session.tokenFile))) as? [String: Any]
        let token = try #require(saved?["access_token"] as? String)
        let file = FileManager.default.temporaryDirectory.appending(path: "access-\(UUID().uuidString)").path
        try token.write(toFile: file, atomically: true, encoding: .utf8)
        let register = try CallingProcess(["register", "--emulator", session.base, "--access-token-file", file, "--json"])
        _ = try await register.line { $0.contains(#""event":"registered""#) }
        #expect(register.error.contains("it cannot be refreshed"))
        register.interrupt()
        #expect(await register.exitStatus() == 0)
        #expect(try await session.registrations() == 0)

        let refused = try await CallingProcess.run(["register", "--emulator", session.base], environment: ["WEBEX_ACCESS_TOKEN": "not-a-token"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("login required: no usable access token for 127.0.0.1: the server refused the given access token"), "\(refused.error)")
        #expect(!refused.error.contains("check the network"), "a refused token is not a network problem (#20 case 8)")
        #expect(!refused.output.contains(token) && !refused.error.contains(token))
    }

    @Test("a token endpoint's error text cannot print a line of its own: token refresh shows it on one escaped line (#20 case 11)")
    func serverTextInErrors() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let body = #"{"error":"invalid_request","error_description":"no\nlogged in; tokens saved to /tmp/x\u202e"}"#
        let fault = try JSONSerialization.data(withJSONObject: ["endpoint": "token", "status": 400, "body": body])
        try await session.admin("fault", String(decoding: fault, as: UTF8.self))
        let refresh = try await CallingProcess.run(["token", "refresh"] + session.shared)
        #expect(refresh.status == 1)
        #expect(refresh.error.contains(#"no\u{A}logged in; tokens saved to /tmp/x\u{202E}"#), "\(refresh.error)")
        #expect(!refresh.error.split(separator: "\n").contains { $0.hasPrefix("logged in") })
        #expect(!refresh.error.contains("\u{202E}"))
    }

    @Test("register with every Webex URL given (no --emulator): the region lookup skipped, discovery hosts tried in order")
    func configuredURLs() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let discovery = try await session.emulator.line { $0.hasPrefix("discovery: ") }.dropFirst("discovery: ".count)
        let register = try CallingProcess(
            [
                "register", "--token-file", session.tokenFile, "--client-id", "swift-calling-emulator",
                "--token-url", session.base + "/v1/access_token", "--device-manager-url", session.base + "/wdm/api/v1/devices",
                "--region", "US-EAST,US", "--discovery-url", "http://127.0.0.1:9/api/v1", "--discovery-url", String(discovery), "--json",
            ],
            environment: ["WEBEX_CLIENT_SECRET": "emulator-secret"]
        )
        _ = try await register.line { $0.contains(#""event":"registered""#) }
        register.interrupt()
        #expect(await register.exitStatus() == 0, "\(register.error)")
        let state = try await URLSessionTransport().send(HTTPRequest(method: .get, url: URL(string: session.base + "/_emulator/state")!))
        let requests = (try JSONSerialization.jsonObject(with: state.body) as? [String: Any])?["requests"] as? [String: Int]
        #expect(requests?["region"] == nil, "the region lookup was skipped: \(String(describing: requests))")
        #expect(requests?["discovery"] == 1)
    }

    @Test("a malformed --region or --discovery-url is a usage error")
    func badURLs() async throws {
        for (arguments, message) in [(["--region", "US-EAST"], "--region must be REGION,COUNTRY"), (["--discovery-url", "ftp://x"], "--discovery-url must be an http(s) URL")] {
            let result = try await CallingProcess.run(["register", "--emulator", "http://127.0.0.1:9"] + arguments, environment: ["WEBEX_ACCESS_TOKEN": "t"])
            #expect(result.status == 2)
            #expect(result.error.contains(message), "\(result.error)")
        }
    }
}
