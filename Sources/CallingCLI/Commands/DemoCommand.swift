import CallingAuth
import CallingCommandLine
import CallingCore
import CallingMobius
import CallingEmulator
import CallingTransport
import Foundation

/// `calling demo`: the whole flow against an embedded emulator, with no account and no network.
enum DemoCommand: CallingCommand {
    static let speed = 60

    static let spec = CommandSpec(
        name: "demo",
        summary: "the whole flow on an embedded emulator: login, register, keepalives, failover, recovery",
        usage: "demo [--json]",
        options: [],
        details: """
            Starts the emulator on a free 127.0.0.1 port, logs in through its authorize redirect (with
            PKCE, the demo playing the browser), registers a line over URLSession, shows its keepalives,
            takes the primary server down so the line fails over to the backup, brings it back so the
            line rehomes, and deregisters. Webex's real timers run on a clock \(speed)× faster than real
            time; the timestamps are in that clock's time. Exits 0 when every step happened, 1 otherwise.
            """
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        let watchdog = Task {
            try await Task.sleep(for: .seconds(50))
            Output.error("calling demo: demo failed: it did not finish within 50 s")
            exit(1)
        }
        defer { watchdog.cancel() }
        var configuration = WebexEmulator.Configuration.defaults
        configuration.rehomingIntervalMinutes = 1...1
        let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
        defer { server.stop() }
        let clock = ScaledClock(speed: speed)
        let timeline = Timeline(output: output, clock: clock)
        let observed = KeepaliveCounter()
        let transport = TransportPipeline(
            middlewares: [observed], transport: URLSessionTransport(configuration: .init(timeout: .seconds(5)))
        )
        output.emit("swift-calling demo: Webex OAuth and Webex Calling against an embedded emulator", ["event": "start"])
        timeline.say("emulator listening on \(server.baseURL.absoluteString)", event: "emulator")

        let store = try await logIn(server: server, transport: transport, timeline: timeline)
        let registrar = MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store)
        let client = CallingClient(registrar: registrar, clock: clock)
        try await withCallingClient(client) { client in
            let line = try await client.addLine(LineOptions(phoneNumber: "+1 555 0100", extension: "100"))
            var events = line.events.makeAsyncIterator()
            var steps = Steps(timeline: timeline)

            try await line.register()
            try await steps.expect(&events, "connecting")
            let first = try await steps.expect(&events, "registered")
            timeline.say("the line's keepalive interval is \(first?.keepaliveInterval.map { "\($0.components.seconds) s" } ?? "?")", event: "info")
            await observed.waitFor(count: 2, timeline: timeline)

            timeline.say("taking the primary server down (its connections are refused)", event: "outage")
            await server.emulator.setOutage(.connectionRefused, server: "primary")
            try await steps.expect(&events, "reconnecting", repeated: 4)
            try await steps.expect(&events, "unregistered", until: "registered")
            guard steps.lastServer == "backup" else {
                throw CommandFailure(message: "demo failed: the line registered on \(steps.lastServer) instead of failing over to the backup")
            }

            timeline.say("bringing the primary server back; the line moves back after its rehoming window", event: "recovery")
            await server.emulator.setOutage(nil, server: "primary")
            try await steps.expect(&events, "unregistered")
            try await steps.expect(&events, "registered")
            guard steps.lastServer == "primary" else {
                throw CommandFailure(message: "demo failed: the line did not move back to the primary")
            }

            await line.deregister()
            try await steps.expect(&events, "unregistered")
        }
        let left = await server.emulator.registeredDevices.count
        let counts = await server.emulator.requestCounts
        let summary = "summary: \(counts[.register] ?? 0) registrations, \(counts[.keepalive] ?? 0) keepalives, 1 failover, 1 rehoming, \(left) devices left at the emulator"
        timeline.say(summary, event: "summary")
        guard left == 0 else {
            throw CommandFailure(message: "demo failed: \(left) devices were left registered at the emulator")
        }
    }

    /// Logs in through the emulator's authorize endpoint, the demo playing the browser.
    private static func logIn(server: EmulatorServer, transport: any Transport, timeline: Timeline) async throws -> TokenStore {
        let configuration = server.emulator.configuration
        let oauth = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: configuration.clientID, clientSecret: configuration.clientSecret,
                redirectURI: URL(string: "http://127.0.0.1:8765/callback")!, endpoints: server.oauthEndpoints
            ),
            transport: transport
        )
        let request = oauth.makeAuthorizationRequest()
        timeline.say("opening the authorize URL (PKCE S256): \(request.url.absoluteString)", event: "authorize")
        let redirect = try await EmulatorBrowser.approve(request.url, transport: transport)
        let code = try request.authorizationCode(fromRedirect: redirect)
        timeline.say("redirected back to \(redirect.path) with a code; state checked", event: "redirect")
        let tokens = try await oauth.exchange(code: code, for: request)
        let store = TokenStore(client: oauth, persistence: MemoryTokenPersistence())
        let saved = try await store.login(with: tokens)
        timeline.say("logged in: access token valid until \(Output.timestamp(saved.accessTokenExpiresAt)), scopes \(saved.scopes.joined(separator: " "))", event: "login")
        return store
    }
}

/// Prints each step with the demo clock's time.
struct Timeline: Sendable {
    let output: Output
    let clock: ScaledClock

    func say(_ text: String, event: String, _ fields: [String: any Sendable] = [:]) {
        let seconds = clock.now.offset.timeInterval
        let stamp = String(format: "%02d:%04.1f", Int(seconds) / 60, seconds.truncatingRemainder(dividingBy: 60))
        var object = fields
        object["time"] = (seconds * 10).rounded() / 10
        object["event"] = event
        object["message"] = text
        output.emit("[\(stamp)] \(text)", object)
    }
}

/// Waits for the line's events in order, printing each, with a real-time limit per step.
struct Steps {
    let timeline: Timeline
    var lastServer = ""

    /// Waits for `name` (`repeated` times), or for any events until `name` when `until` is given.
    @discardableResult
    mutating func expect(
        _ events: inout LineEvents.AsyncIterator, _ name: String, repeated: Int = 1, until final: String? = nil
    ) async throws -> LineInfo? {
        var info: LineInfo?
        var remaining = repeated
        while remaining > 0 {
            guard let event = await events.next() else {
                throw CommandFailure(message: "demo failed: the line's events ended while waiting for \(name)")
            }
            let (eventName, server) = describe(event)
            if case .registered(let registered) = event {
                info = registered
                lastServer = server ?? ""
            }
            var fields: [String: any Sendable] = server.map { ["server": $0] } ?? [:]
            var text = "line 1: \(eventName)" + (server.map { " on \($0)" } ?? "")
            if let cause = event.cause {
                text += ": \(cause.detail)"
                fields["cause"] = cause.jsonObject
            }
            timeline.say(text, event: eventName, fields)
            if let final {
                if eventName == final { return info }
                continue
            }
            guard eventName == name else {
                throw CommandFailure(message: "demo failed: expected \(name), the line reported \(eventName)")
            }
            remaining -= 1
        }
        return info
    }

    private func describe(_ event: LineEvent) -> (String, String?) {
        switch event {
        case .connecting: ("connecting", nil)
        case .registered(let info):
            ("registered", info.server.flatMap { server in server.url.pathComponents.firstIndex(of: "mobius").map { server.url.pathComponents[$0 + 1] } })
        case .unregistered: ("unregistered", nil)
        case .reconnecting: ("reconnecting", nil)
        case .reconnected: ("reconnected", nil)
        case .error(let error): ("error(\(error.type))", nil)
        }
    }
}

/// Counts keepalive requests as they go out, and prints each answer.
final class KeepaliveCounter: Middleware {
    private struct State {
        var count = 0
        var timeline: Timeline?
        var waiter: (target: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Locked(State())

    func intercept(_ request: HTTPRequest, next: (HTTPRequest) async throws -> HTTPResponse) async throws -> HTTPResponse {
        guard request.url.path.hasSuffix("/status") else { return try await next(request) }
        let response: HTTPResponse
        do {
            response = try await next(request)
        } catch {
            state.withLock(\.timeline)?.say("keepalive → no answer (\((error as? TransportError)?.code.description ?? "failed"))", event: "keepalive-failed")
            throw error
        }
        let (number, timeline, reached) = state.withLock { state in
            state.count += 1
            var reached: CheckedContinuation<Void, Never>?
            if let waiter = state.waiter, state.count >= waiter.target {
                reached = waiter.continuation
                state.waiter = nil
            }
            return (state.count, state.timeline, reached)
        }
        timeline?.say("keepalive \(number) → HTTP \(response.status)", event: "keepalive", ["status": response.status])
        reached?.resume()
        return response
    }

    /// Prints keepalives from now on, and returns once `target` have been answered in all.
    func waitFor(count target: Int, timeline: Timeline) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                state.timeline = timeline
                guard state.count < target else { return true }
                state.waiter = (target, continuation)
                return false
            }
            if done {
                continuation.resume()
            }
        }
    }
}
