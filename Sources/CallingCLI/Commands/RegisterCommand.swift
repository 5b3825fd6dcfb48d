import CallingAuth
import CallingCommandLine
import CallingCore
import CallingMobius
import CallingSIP
import CallingTransport
import Foundation

/// `calling register`: registers lines, streams their events until Ctrl-C, then deregisters.
enum RegisterCommand: CallingCommand {
    static let spec = CommandSpec(
        name: "register",
        summary: "register lines with Webex Calling (or a SIP registrar) and stream their events until Ctrl-C",
        usage: "register [--lines N | --token-dir DIR [--lines-per-user K]] [--state-dir DIR] [--emulator URL | --sip URI --sip-password-file FILE] …",
        options: AuthOptions.specs + MobiusOptions.specs + SIPOptions.specs + [
            OptionSpec(
                "access-token-file", value: "FILE",
                "use the access token in FILE (or WEBEX_ACCESS_TOKEN) instead of the token file; it is never refreshed"
            ),
            OptionSpec("lines", value: "N", "how many lines to register (default: 1)"),
            OptionSpec("token-dir", value: "DIR", "register lines for every user with a token file in DIR (one <user>.json each), in one process"),
            OptionSpec("lines-per-user", value: "K", "with --token-dir, how many lines each user registers (default: 1)"),
            OptionSpec("verbose", "log what the library does (requests, refreshes, retries, failover, rehoming) on standard error"),
            OptionSpec(
                "state-dir", value: "DIR", environment: "WEBEX_STATE_DIR",
                "where failover progress is kept between runs (default: failover/ beside the token file)"
            ),
        ],
        details: """
            Uses the tokens from `calling login`. Ctrl-C, SIGTERM or SIGHUP deregisters every line
            (waiting for registrations under way) and exits 0, or 1 when a line could not be
            deregistered in time; another signal a second or more later exits at once. When standard
            output is closed (a pipe whose reader is gone), every line is deregistered too and the
            command exits 1. When every line has stopped with a final error, the command
            exits 1 with the reason. A failover under way when it stops is resumed by the next run
            (line N keeps its progress under the key line-N in the state directory).

            With --token-dir, every user whose token file is in DIR (as `calling emulator --users N
            --token-dir DIR` writes them) registers K lines with its own tokens, refreshed at most
            16 at a time; line K of a user keeps its progress under <user>/line-K, in the state
            directory (default: failover/ beside DIR).

            With --sip, each line is one contact of that SIP user, registered with its registrar
            (the URI's host and port) using digest authentication; the Webex options do not apply,
            and failover progress is kept only when --state-dir is given.
            """
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        let stopRequests = Signals.stopRequests()
        let logger = arguments.has("verbose") ? CallingLogger(handler: OutputLogHandler(output: output)) : .disabled
        let (source, stateDirectory) = try await lineSource(arguments, environment: environment, logger: logger)
        let progressStore = stateDirectory.map(FileFailoverProgressStore.init(directory:))
        let client = switch source {
        case .registrar(let registrar, _): CallingClient(registrar: registrar, failoverProgressStore: progressStore, logger: logger)
        case .users: CallingClient(failoverProgressStore: progressStore, logger: logger)
        }
        let (happenings, feed) = AsyncStream.makeStream(of: Happening.self)
        let watchers = [
            Task {
                for await _ in stopRequests {
                    feed.yield(.stopRequest)
                }
            },
            Task {
                await StandardStream.output.closed()
                feed.yield(.outputClosed)
            },
        ]
        defer { watchers.forEach { $0.cancel() } }
        do {
            try await withCallingClient(client) { client in
                var lines: [Line] = []
                switch source {
                case .registrar(_, let count):
                    for number in 1...count {
                        lines.append(try await client.addLine(LineOptions(persistenceKey: "line-\(number)")))
                    }
                case .users(let users, let linesPerUser):
                    for (user, registrar) in users {
                        for number in 1...linesPerUser {
                            lines.append(try await client.addLine(using: registrar, LineOptions(persistenceKey: "\(user)/line-\(number)")))
                        }
                    }
                }
                try await stream(lines, of: client, happenings: happenings, feed: feed, output: output)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        output.emit("all lines deregistered", ["event": "stopped"])
    }

    /// Registers `lines`, reports their events and stops the client when asked, or when every
    /// line has stopped; returns once every line's events have finished.
    ///
    /// - Throws: ``CommandFailure`` when the lines stopped with final errors, a line could not
    ///   be deregistered in time, or standard output was closed.
    private static func stream(
        _ lines: [Line], of client: CallingClient, happenings: AsyncStream<Happening>, feed: AsyncStream<Happening>.Continuation, output: Output
    ) async throws {
        let forwarders = lines.enumerated().map { index, line in
            let events = line.events
            return Task {
                for await event in events {
                    feed.yield(.event(line: index + 1, event))
                }
            }
        }
        let finished = Task {
            for forwarder in forwarders {
                await forwarder.value
            }
            feed.finish()
        }
        for line in lines {
            try await line.register()
        }
        let count = lines.count
        output.emit("registering \(count) line\(count == 1 ? "" : "s"); Ctrl-C deregisters and exits", ["event": "started", "lines": count])
        let started = ContinuousClock.now
        var stoppedReason: String?
        var incomplete: [String] = []
        var firstStopRequest: ContinuousClock.Instant?
        var outputClosed = false
        /// Lines whose last word was an error: the command ends once all of them have stopped.
        var failed = Set<Int>()
        for await happening in happenings {
            switch happening {
            case .event(let number, let event):
                report(event, line: number, since: started, output: output)
                switch event {
                case .connecting, .registered: failed.remove(number)
                case .unregistered, .reconnecting, .reconnected: break
                case .error: failed.insert(number)
                }
                guard case .error(let error) = event else { continue }
                if error.code == .deregistrationIncomplete {
                    incomplete.append("line \(number): \(error.detail)")
                } else if stoppedReason == nil, failed.count == lines.count, await allStopped(lines) {
                    stoppedReason = "\(error)"
                    output.emit("every line has stopped; deregistering and exiting", ["event": "stopping", "reason": "\(error)"])
                    client.beginGracefulShutdown()
                }
            case .stopRequest:
                guard let first = firstStopRequest else {
                    firstStopRequest = .now
                    output.emit("deregistering…", ["event": "stopping"])
                    client.beginGracefulShutdown()
                    continue
                }
                if Signals.isSecondRequest(sinceFirst: first.duration(to: .now)) {
                    Output.error("calling register: stopped without deregistering")
                    exit(130)
                }
            case .outputClosed:
                outputClosed = true
                if firstStopRequest == nil {
                    firstStopRequest = .now
                    client.beginGracefulShutdown()
                }
            }
        }
        await finished.value
        let leftBehind = "not every line was deregistered in time:\n" + incomplete.joined(separator: "\n")
        if outputClosed {
            throw CommandFailure(message: "standard output was closed, so the command stopped; \(incomplete.isEmpty ? "every line was deregistered" : leftBehind)")
        }
        if !incomplete.isEmpty {
            throw CommandFailure(message: leftBehind)
        }
        if let stoppedReason {
            throw CommandFailure(message: "every line stopped with a final error (last: \(stoppedReason))")
        }
    }

    /// Where the lines come from: one registrar's `count` lines, or `linesPerUser` lines for
    /// each user of a token directory, each with its own registrar.
    private enum LineSource {
        case registrar(any LineRegistrar, count: Int)
        case users([(name: String, registrar: MobiusRegistrar)], linesPerUser: Int)
    }

    /// The lines the options ask for, and where failover progress is kept.
    private static func lineSource(
        _ arguments: Arguments, environment: [String: String], logger: CallingLogger
    ) async throws -> (LineSource, String?) {
        guard let directory = arguments.value("token-dir") else {
            let count = try arguments.integer("lines", default: 1, range: 1...1000)
            let (registrar, stateDirectory) = try await registrar(arguments, environment: environment, logger: logger)
            return (.registrar(registrar, count: count), stateDirectory)
        }
        guard ["lines", "sip", "access-token-file"].allSatisfy({ arguments.value($0) == nil }) else {
            throw UsageError(message: "--token-dir registers each user's lines with that user's tokens: use --lines-per-user, not --lines, --sip or --access-token-file")
        }
        let linesPerUser = try arguments.integer("lines-per-user", default: 1, range: 1...100)
        let tokens = TokenDirectory(path: directory)
        let settings = try AuthSettings(arguments, environment: environment, redirectURI: URL(string: "http://127.0.0.1/callback")!)
        let configuration = try MobiusOptions.configuration(arguments)
        let transport = URLSessionTransport()
        let oauth = OAuthClient(configuration: settings.configuration, transport: transport)
        var storeConfiguration = TokenStore.Configuration.defaults
        storeConfiguration.refreshLimit = TokenRefreshLimit()
        let stores: [(name: String, store: TokenStore)]
        do {
            stores = try tokens.users().map { user in
                (user, TokenStore(client: oauth, persistence: try tokens.persistence(for: user), configuration: storeConfiguration, logger: logger))
            }
        } catch let error as OAuthError {
            throw CommandFailure(message: error.message)
        }
        guard let first = stores.first else {
            throw CommandFailure(message: "no token files in \(directory): write them with `calling emulator --users N --token-dir \(directory)`, or save one <user>.json per user there")
        }
        let registrar = MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: first.store, logger: logger)
        let users = stores.map { (name: $0.name, registrar: registrar.withTokenProvider($0.store)) }
        let stateDirectory = arguments.value("state-dir")
            ?? (((directory as NSString).standardizingPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("failover")
        return (.users(users, linesPerUser: linesPerUser), stateDirectory)
    }

    /// The backend the options choose, and where failover progress is kept.
    private static func registrar(
        _ arguments: Arguments, environment: [String: String], logger: CallingLogger
    ) async throws -> (any LineRegistrar, String?) {
        if let sip = try SIPOptions.configuration(arguments) {
            return (SIPRegistrar(configuration: sip, logger: logger), arguments.value("state-dir"))
        }
        if let token = try givenAccessToken(arguments, environment: environment) {
            Output.error("using the given access token: it cannot be refreshed, so when it expires every line stops with token_error")
            let registrar = MobiusRegistrar(
                configuration: try MobiusOptions.configuration(arguments), transport: URLSessionTransport(), tokenProvider: FixedAccessToken(token),
                logger: logger
            )
            return (registrar, arguments.value("state-dir"))
        }
        let settings = try AuthSettings(arguments, environment: environment, redirectURI: URL(string: "http://127.0.0.1/callback")!)
        let transport = URLSessionTransport()
        let store = settings.tokenStore(transport: transport, logger: logger)
        do {
            guard try await store.currentTokens() != nil else {
                throw CommandFailure(message: "no tokens in \(settings.tokenFile): run `calling login` first")
            }
        } catch let error as OAuthError {
            throw CommandFailure(message: error.message.replacingOccurrences(of: "log in again", with: "run `calling login` again"))
        }
        let configuration = try MobiusOptions.configuration(arguments)
        let stateDirectory = arguments.value("state-dir")
            ?? ((settings.tokenFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("failover")
        return (MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: store, logger: logger), stateDirectory)
    }

    /// An access token from `--access-token-file` or `WEBEX_ACCESS_TOKEN`, if given.
    private static func givenAccessToken(_ arguments: Arguments, environment: [String: String]) throws -> Secret? {
        if let (file, text) = try arguments.secretFile("access-token-file", holding: "access token") {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CommandFailure(message: "the access token file \(file) is empty") }
            return Secret(token)
        }
        return environment["WEBEX_ACCESS_TOKEN"].flatMap { $0.isEmpty ? nil : Secret($0) }
    }

    /// What the command waits for: a line's event, a signal to stop, or its reader gone.
    private enum Happening: Sendable {
        case event(line: Int, LineEvent)
        case stopRequest
        case outputClosed
    }

    /// Whether no line can make progress any more: each stopped with a final error.
    private static func allStopped(_ lines: [Line]) async -> Bool {
        for line in lines where await !line.isStopped {
            return false
        }
        return true
    }

    private static func report(_ event: LineEvent, line: Int, since start: ContinuousClock.Instant, output: Output) {
        let elapsed = start.duration(to: .now)
        let seconds = elapsed.timeInterval
        var fields: [String: any Sendable] = ["line": line, "time": (seconds * 1000).rounded() / 1000]
        var text: String
        switch event {
        case .connecting: (text, fields["event"]) = ("connecting", "connecting")
        case .registered(let info):
            text = "registered on \(info.server?.description ?? "?") as \(info.deviceID ?? "?")"
            fields["event"] = "registered"
            fields["server"] = info.server?.description ?? ""
            fields["deviceId"] = info.deviceID ?? ""
        case .unregistered(let cause):
            (text, fields["event"]) = ("unregistered", "unregistered")
            if let cause {
                text += ": \(cause)"
                fields["cause"] = cause.jsonObject
            }
        case .reconnecting(let cause):
            text = "reconnecting: \(cause)"
            fields["event"] = "reconnecting"
            fields["cause"] = cause.jsonObject
        case .reconnected: (text, fields["event"]) = ("reconnected", "reconnected")
        case .error(let error):
            text = "error: \(error.type): \(error.msg) \(error)"
            fields.merge(error.jsonObject) { _, documented in documented }
            fields["event"] = "error"
        }
        output.emit(String(format: "[%8.3f] line %d: ", seconds, line) + text, fields)
    }
}
