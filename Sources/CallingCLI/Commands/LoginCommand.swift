import CallingAuth
import CallingCommandLine
import CallingLoopback
import CallingTransport
import Foundation

/// `calling login`: the RFC 8252 loopback login, storing the tokens in the token file.
enum LoginCommand: CallingCommand {
    static let spec = CommandSpec(
        name: "login",
        summary: "log in with OAuth 2.0 (PKCE through a loopback redirect, or --device on a machine without a browser) and store the tokens",
        usage: "login --client-id ID [--client-secret-file FILE] [--no-browser | --device] …",
        options: AuthOptions.specs + [
            OptionSpec("redirect-port", value: "N", "the loopback port for the redirect (default: a free one)"),
            OptionSpec("redirect-uri", value: "URI", "the redirect URI to send (default: http://127.0.0.1:PORT/callback)"),
            OptionSpec("timeout", value: "S", "how long to wait for the browser, in seconds (default: 300)"),
            OptionSpec("no-browser", "print the URL only; do not try to open a browser"),
            OptionSpec("device", "the device flow: approve with a code on another device (for SSH sessions, containers)"),
        ],
        details: """
            The redirect URI is http://127.0.0.1:PORT/callback: register it with your integration (Webex
            accepts a loopback redirect on any port when its path matches; fix the port with
            --redirect-port if yours does not). The client secret is never taken as a plain flag.

            --device prints a URL and a code to enter there from any browser, and waits (Ctrl-C stops).
            The integration must list Webex's device-flow redirect helpers
            https://oauth-helper-{a,k,r}.wbx2.com/helperservice/v1/actions/device/callback as redirect URIs.
            """
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        if arguments.has("device") {
            return try await deviceLogin(arguments, environment: environment, output: output)
        }
        let port = try arguments.integer("redirect-port", default: 0, range: 0...65535)
        let timeout = try arguments.integer("timeout", default: 300, range: 1...86400)
        let redirects = RedirectInbox()
        let listener: LoopbackHTTPServer
        do {
            // The redirect listener serves one browser: idle connections are closed after 2 s.
            listener = try LoopbackHTTPServer.start(configuration: .init(port: UInt16(port), idleTimeout: .seconds(2), maxConnections: 16)) { request in
                await redirects.receive(request.url)
            }
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        defer { listener.stop() }
        let redirectURI = try arguments.url("redirect-uri") ?? URL(string: "http://127.0.0.1:\(listener.port)/callback")!
        let settings = try AuthSettings(arguments, environment: environment, redirectURI: redirectURI)
        let transport = URLSessionTransport()
        let oauth = OAuthClient(configuration: settings.configuration, transport: transport)
        let request = oauth.makeAuthorizationRequest()
        await redirects.expect(request)

        output.emit("Open this URL in a browser to log in (waiting up to \(timeout) s for the redirect to \(redirectURI.absoluteString)):", ["event": "authorize"])
        output.emit(request.url.absoluteString, ["event": "url", "url": request.url.absoluteString])
        if !arguments.has("no-browser") {
            openBrowser(request.url)
        }
        let saved: TokenSet
        do {
            let code = try await redirects.code(within: .seconds(timeout))
            let tokens: TokenResponse
            do {
                tokens = try await oauth.exchange(code: code, for: request)
            } catch {
                throw CommandFailure(message: "the code exchange failed: \(error)")
            }
            saved = try await settings.tokenStore(transport: transport).login(with: tokens)
            await redirects.conclude(.loggedIn)
        } catch {
            await redirects.conclude(.failed((error as? CommandFailure)?.message ?? "\(error)"))
            await listener.stop(draining: .seconds(2))
            throw error
        }
        await listener.stop(draining: .seconds(2))
        output.emit(
            "logged in; tokens saved to \(settings.tokenFile) (access token valid until \(Output.timestamp(saved.accessTokenExpiresAt)))",
            ["event": "logged-in", "tokenFile": settings.tokenFile, "accessTokenExpiresAt": Output.timestamp(saved.accessTokenExpiresAt)]
        )
    }

    /// The device flow: show the code, wait for the approval (or Ctrl-C), save the tokens.
    private static func deviceLogin(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        let settings = try AuthSettings(arguments, environment: environment, redirectURI: URL(string: "http://127.0.0.1/callback")!)
        let transport = URLSessionTransport()
        let client = OAuthClient(configuration: settings.configuration, transport: transport)
        let tokens: TokenResponse
        do {
            let authorization = try await client.startDeviceAuthorization()
            let complete = authorization.verificationURIComplete.map { " (or open \($0.absoluteString))" } ?? ""
            output.emit(
                "To log in, open \(authorization.verificationURI.absoluteString) and enter the code \(authorization.userCode)\(complete); waiting up to \(authorization.expiresIn.components.seconds) s (Ctrl-C stops)",
                [
                    "event": "device", "verificationUri": authorization.verificationURI.absoluteString, "userCode": authorization.userCode,
                    "verificationUriComplete": authorization.verificationURIComplete?.absoluteString ?? "",
                    "expiresIn": Int(authorization.expiresIn.components.seconds),
                ]
            )
            tokens = try await withThrowingTaskGroup(of: TokenResponse?.self) { group in
                group.addTask { try await authorization.tokens() }
                group.addTask {
                    for await _ in Signals.stopRequests() {
                        return nil
                    }
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let tokens = first else {
                    throw CommandFailure(message: "the login was stopped before it was approved")
                }
                return tokens
            }
        } catch let error as OAuthError {
            throw CommandFailure(message: "the device login failed: \(error.message)")
        }
        let saved = try await settings.tokenStore(transport: transport).login(with: tokens)
        output.emit(
            "logged in; tokens saved to \(settings.tokenFile) (access token valid until \(Output.timestamp(saved.accessTokenExpiresAt)))",
            ["event": "logged-in", "tokenFile": settings.tokenFile, "accessTokenExpiresAt": Output.timestamp(saved.accessTokenExpiresAt)]
        )
    }

    private static func openBrowser(_ url: URL) {
        let process = Process()
        #if os(macOS)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/open")
        #else
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
        #endif
        process.arguments = [url.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

/// Receives the browser's redirect on the loopback server, hands the checked code to the
/// command, and answers the browser with the login's real outcome once the command knows it.
actor RedirectInbox {
    /// What the browser is told at the end.
    enum Verdict: Sendable {
        case loggedIn
        case failed(String)
    }

    private var request: AuthorizationRequest?
    private var result: Result<Secret, any Error>?
    private var waiter: CheckedContinuation<Result<Secret, any Error>, Never>?
    private var verdict: Verdict?
    private var verdictWaiters: [CheckedContinuation<Verdict, Never>] = []

    func expect(_ request: AuthorizationRequest) {
        self.request = request
    }

    /// Answers the browser. A redirect with this login's state decides the outcome (a code, or
    /// the server's error); one without it is refused and the login goes on waiting. For a code,
    /// the page waits for ``conclude(_:)``: the exchange may still fail.
    func receive(_ url: URL) async -> HTTPResponse {
        guard let request, result == nil else {
            return HTTPResponse(status: 404, body: Data("Nothing to see here.\n".utf8))
        }
        let outcome = Result { try request.authorizationCode(fromRedirect: url) }
        if case .failure(let error as OAuthError) = outcome {
            switch error.code {
            case .redirectMismatch:
                return HTTPResponse(status: 404, body: Data("Not the login callback.\n".utf8))
            case .stateMismatch:
                return Self.page(400, "This redirect does not belong to the login in progress, so it was ignored. Use the URL printed in the terminal.")
            default:
                break
            }
        }
        result = outcome
        waiter?.resume(returning: outcome)
        waiter = nil
        switch outcome {
        case .success:
            switch await concluded() {
            case .loggedIn: return Self.page(200, "Logged in. You can close this window and return to the terminal.")
            case .failed(let reason): return Self.page(502, "The login failed: \(reason). Return to the terminal.")
            }
        case .failure(let error):
            return Self.page(400, "The login failed: \((error as? OAuthError)?.message ?? "\(error)"). Return to the terminal.")
        }
    }

    /// Tells the browser how the login ended, once the code has been exchanged (or not).
    func conclude(_ verdict: Verdict) {
        self.verdict = verdict
        verdictWaiters.forEach { $0.resume(returning: verdict) }
        verdictWaiters = []
    }

    private func concluded() async -> Verdict {
        if let verdict { return verdict }
        return await withCheckedContinuation { verdictWaiters.append($0) }
    }

    /// The code, or the redirect's error, or a timeout failure.
    func code(within limit: Duration) async throws -> Secret {
        let timer = Task {
            try await Task.sleep(for: limit)
            self.timeOut(limit)
        }
        defer { timer.cancel() }
        let outcome = await withCheckedContinuation { continuation in
            if let result {
                continuation.resume(returning: result)
            } else {
                waiter = continuation
            }
        }
        switch outcome {
        case .success(let code):
            return code
        case .failure(let error as OAuthError):
            throw CommandFailure(message: "the login failed: \(error.message)")
        case .failure(let error):
            throw error
        }
    }

    private func timeOut(_ limit: Duration) {
        guard result == nil else { return }
        let failure = Result<Secret, any Error>.failure(
            CommandFailure(message: "no redirect arrived within \(limit.components.seconds) s: open the URL printed above, or raise --timeout")
        )
        result = failure
        waiter?.resume(returning: failure)
        waiter = nil
    }

    /// A small HTML page; `text` may quote the network, so every character HTML gives a
    /// meaning to is escaped.
    static func page(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'"],
            body: Data("<!doctype html><title>swift-calling</title><p>\(escapingHTML(text))</p>\n".utf8)
        )
    }

    static func escapingHTML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
