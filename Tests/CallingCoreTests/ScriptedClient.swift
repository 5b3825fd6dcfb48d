import CallingCore
import CallingTestSupport
import CallingTesting
import Foundation
import Testing

/// A client on a manual clock with a ``ScriptedRegistrar`` (primaries `primary-1` and
/// `primary-2`, backup `backup-1`) and fixed randomness: the core alone, no backend.
struct ScriptedClient {
    static let primary1 = ScriptedRegistrar.server("primary-1")
    static let primary2 = ScriptedRegistrar.server("primary-2")
    static let backup1 = ScriptedRegistrar.server("backup-1")

    let clock = ManualClock()
    let registrar: ScriptedRegistrar
    let progress = InMemoryFailoverProgressStore()
    let client: CallingClient
    let runner: Task<Void, Never>

    /// - Parameters:
    ///   - jitter: The jitter every retry wait gets, in seconds.
    ///   - rehomingMinutes: What every rehoming draw gives.
    init(
        registrar: ScriptedRegistrar = ScriptedRegistrar(), jitter: Int = 10, rehomingMinutes: Int = 60,
        configuration: CallingClient.Configuration = .defaults
    ) {
        self.registrar = registrar
        client = CallingClient(
            registrar: registrar, configuration: configuration, clock: clock, wallClock: clock.wallClock,
            random: RandomSource { draw, _ in draw == .retryJitter ? jitter : rehomingMinutes }, failoverProgressStore: progress
        )
        let client = self.client
        runner = Task { try? await client.run() }
    }

    /// A new line (its own device) and its events.
    func addLine() async throws -> (Line, LineEvents.AsyncIterator) {
        let line = try await client.addLine(LineOptions(phoneNumber: "+15550100"))
        return (line, line.events.makeAsyncIterator())
    }

    /// A line registered on primary-1, with its events past `registered`.
    func registeredLine() async throws -> (Line, LineEvents.AsyncIterator) {
        var (line, events) = try await addLine()
        try await line.register()
        #expect(await events.names(2) == ["connecting", "registered(primary-1.scripted.invalid)"])
        return (line, events)
    }

    /// A line whose first round failed at both primaries (503), waiting to retry, with its
    /// events past the round.
    func lineWaitingToRetry() async throws -> (Line, LineEvents.AsyncIterator) {
        let failure = LineError(code: .serviceUnavailable, detail: "scripted")
        registrar.enqueue(.retryable(failure), .retryable(failure), for: .register)
        var (line, events) = try await addLine()
        try await line.register()
        #expect(await events.names(3) == ["connecting", "unregistered", "unregistered"])
        return (line, events)
    }

    /// The registrar's calls after discovery and device creation, as `operation server id` lines.
    var calls: [String] {
        registrar.calls.filter { $0.operation != .discover && $0.operation != .makeDevice }.map(\.description)
    }

    /// Waits for the next sleeper and moves the clock to its deadline; the time it moved by.
    @discardableResult
    func advanceToNextDeadline() async -> Duration {
        await clock.waitForSleepers()
        let before = clock.now
        clock.advance(to: clock.sleeperDeadlines[0])
        return before.duration(to: clock.now)
    }

    /// Shuts the client down gracefully and waits for it.
    func shutDown() async {
        client.beginGracefulShutdown()
        await runner.value
    }
}
