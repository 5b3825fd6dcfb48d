import CallingAuth
import CallingCommandLine
import CallingEmulator
import CallingMobius
import CallingLoopback
import CallingTransport
import Foundation

/// `calling emulator`: serves the offline Webex emulator until Ctrl-C.
enum EmulatorCommand: CallingCommand {
    static let spec = CommandSpec(
        name: "emulator",
        summary: "serve the offline Webex emulator on 127.0.0.1 until Ctrl-C",
        usage: "emulator [--port N] [--keepalive-interval S] [--fault SPEC] [--users N --token-dir DIR] …",
        options: [
            OptionSpec("port", value: "N", "the main port (default: a free one)"),
            OptionSpec("client-id", value: "ID", "the test integration's client id (default: swift-calling-emulator)"),
            OptionSpec("client-secret-file", value: "FILE", "a file holding its client secret (default: emulator-secret)"),
            OptionSpec("keepalive-interval", value: "S", "the keepalive interval registrations get, in seconds (default: 30)"),
            OptionSpec("access-token-ttl", value: "S", "access token lifetime in seconds (default: 3600)"),
            OptionSpec("device-limit", value: "N", "lines one user may register at once (default: 100)"),
            OptionSpec("device-poll-interval", value: "S", "the polling interval device logins are told, in seconds (default: 5)"),
            OptionSpec("rotate-refresh-tokens", "every refresh replaces the refresh token, and the old one stops working"),
            OptionSpec("fault", value: "SPEC", "faults, comma-separated: SERVER=refuse|503, or ENDPOINT=STATUS[xCOUNT][@RETRY_AFTER]"),
            OptionSpec("users", value: "N", "make N users (1 to 100000), each logged in, and write their tokens to --token-dir"),
            OptionSpec("token-dir", value: "DIR", "where --users writes one token file per user, for `calling register --token-dir`"),
        ],
        details: """
            The first line printed is exactly `emulator listening on http://127.0.0.1:PORT`.
            Point a client at it with `calling login --emulator URL` and `calling register --emulator URL`.
            Servers: primary, backup. Endpoints: \(EmulatorEndpoint.all.map(\.name).joined(separator: ", ")).
            Example: --fault primary=refuse,register=429x2@20
            With --users N --token-dir DIR, N users (emulator-user-1 …) each get tokens of their
            own, saved as DIR/<user>.json; `calling register --emulator URL --token-dir DIR`
            then registers lines for every one of them in one process.
            """
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.clientID = arguments.value("client-id") ?? configuration.clientID
        if let (_, secret) = try arguments.secretFile("client-secret-file", holding: "client secret") {
            configuration.clientSecret = Secret(secret.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        configuration.keepaliveInterval = try arguments.integer("keepalive-interval", default: 30, range: 1...3600)
        configuration.accessTokenLifetime = .seconds(try arguments.integer("access-token-ttl", default: 3600, range: 1...1_209_600))
        configuration.deviceLimit = try arguments.integer("device-limit", default: 100, range: 1...100_000)
        configuration.rotatesRefreshTokens = arguments.has("rotate-refresh-tokens")
        configuration.devicePollInterval = try arguments.integer("device-poll-interval", default: 5, range: 1...60)
        let port = try arguments.integer("port", default: 0, range: 0...65535)
        let servers = configuration.primaryServers + configuration.backupServers
        let faults = try (arguments.value("fault") ?? "").split(separator: ",").map { try Fault(String($0), servers: servers) }
        let users = try arguments.value("users") != nil ? arguments.integer("users", default: 1, range: 1...100_000) : nil
        let tokenDirectory = arguments.value("token-dir").map(TokenDirectory.init(path:))
        guard (users == nil) == (tokenDirectory == nil) else {
            throw UsageError(message: "--users and --token-dir go together: the users' tokens are written to the directory")
        }

        let emulator = WebexEmulator(configuration: configuration)
        for fault in faults {
            await fault.apply(to: emulator)
        }
        let server: EmulatorServer
        do {
            server = try await EmulatorServer.start(emulator: emulator, configuration: .init(port: UInt16(port)))
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        defer { server.stop() }
        let base = server.baseURL.absoluteString
        let discovery = server.mobiusConfiguration.discoveryHosts[0].absoluteString
        output.emit("emulator listening on \(base)", ["event": "listening", "url": base, "discovery": discovery])
        output.emit("discovery: \(discovery)", ["event": "discovery", "discovery": discovery])
        output.emit("client id: \(configuration.clientID)", ["event": "client", "clientId": configuration.clientID])
        output.emit("authorize: \(base)/v1/authorize   token: \(base)/v1/access_token", ["event": "oauth", "authorize": "\(base)/v1/authorize", "token": "\(base)/v1/access_token"])
        output.emit("use it: calling login --emulator \(base) --no-browser; calling register --emulator \(base)", ["event": "hint", "emulator": base])
        output.emit("admin: \(base)/_emulator/state; Ctrl-C stops", ["event": "admin", "state": "\(base)/_emulator/state"])
        if let users, let tokenDirectory {
            try await write(await emulator.addUsers(users), to: tokenDirectory)
            output.emit(
                "\(users) users' tokens in \(tokenDirectory.path): calling register --emulator \(base) --token-dir \(tokenDirectory.path)",
                ["event": "users", "users": users, "tokenDirectory": tokenDirectory.path]
            )
        }
        for await _ in Signals.stopRequests() {
            break
        }
        output.emit("emulator stopped", ["event": "stopped"])
    }

    /// Saves each user's tokens in `directory`.
    private static func write(_ users: [EmulatorUser], to directory: TokenDirectory) async throws {
        let now = Date()
        do {
            for user in users {
                try await directory.persistence(for: user.userID).save(TokenSet(response: user.tokens, receivedAt: now))
            }
        } catch let error as OAuthError {
            throw CommandFailure(message: error.message)
        }
    }

    /// One `--fault` item.
    struct Fault {
        enum Kind {
            case outage(server: String, ServerOutage)
            case answer(EmulatorEndpoint, EmulatorFault, count: Int)
        }

        let kind: Kind

        init(_ text: String, servers: [String]) throws {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw UsageError(message: "--fault '\(text.prefix(40))' is not NAME=VALUE")
            }
            if let outage = ServerOutage(name: parts[1]) {
                guard servers.contains(parts[0]) else {
                    throw UsageError(message: "--fault '\(text.prefix(40))': no server named '\(parts[0].prefix(20))' (servers: \(servers.joined(separator: ", ")))")
                }
                kind = .outage(server: parts[0], outage)
                return
            }
            guard let endpoint = EmulatorEndpoint(name: parts[0]) else {
                throw UsageError(message: "--fault '\(text.prefix(40))': '\(parts[0].prefix(20))' is neither a server (\(servers.joined(separator: ", "))) with refuse/503 nor an endpoint (\(EmulatorEndpoint.all.map(\.name).joined(separator: ", ")))")
            }
            do {
                let (fault, count) = try EmulatorFault.parse(parts[1])
                kind = .answer(endpoint, fault, count: count)
            } catch {
                throw UsageError(message: "--fault '\(text.prefix(40))': \(error.description)")
            }
        }

        func apply(to emulator: WebexEmulator) async {
            switch kind {
            case .outage(let server, let outage): await emulator.setOutage(outage, server: server)
            case .answer(let endpoint, let fault, let count): await emulator.inject(fault, count: count, into: endpoint)
            }
        }
    }
}
