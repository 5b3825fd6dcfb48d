import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// A client on a manual clock, talking to a ``ScriptedMobius`` through the real Mobius registrar
/// and an in-memory transport, with fixed randomness (jitter and rehoming window chosen per test).
struct LineHarness {
    static let p1 = "https://mobius-p1.example.com/api/v1/calling/web/"
    static let p2 = "https://mobius-p2.example.com/api/v1/calling/web/"
    static let b1 = "https://mobius-b1.example.com/api/v1/calling/web/"
    static let device = LineDevice(userID: "user-1", deviceURL: "https://wdm.example.com/dev")
    /// The key a harness line's failover progress is saved under: its user and phone number.
    static let progressKey = "user-1/+15550100"

    let clock = ManualClock()
    let mobius: ScriptedMobius
    let tokens: InMemoryTokenProvider
    let progress = InMemoryFailoverProgressStore()
    let client: CallingClient
    let runner: Task<Void, Never>

    /// - Parameters:
    ///   - primaries: Primary URIs (the backup is always b1, which is also the discovery host).
    ///   - jitter: The jitter every retry interval gets, in seconds.
    ///   - rehomingMinutes: The rehoming window every draw gives.
    ///   - indicator: The Mobius service indicator.
    init(
        primaries: [String] = ["https://mobius-p1.example.com/api/v1"],
        jitter: Int = 10,
        rehomingMinutes: Int = 60,
        indicator: MobiusRegistrar.Configuration.ServiceIndicator = .calling,
        keepaliveInterval: Int = 30,
        tokens: InMemoryTokenProvider = InMemoryTokenProvider(),
        configuration clientConfiguration: CallingClient.Configuration = .defaults
    ) {
        self.tokens = tokens
        mobius = ScriptedMobius(
            primaries: primaries, backups: ["https://mobius-b1.example.com/api/v1"], keepaliveInterval: keepaliveInterval
        )
        var configuration = MobiusRegistrar.Configuration.defaults
        configuration.discoveryHosts = [URL(string: "https://mobius-b1.example.com/api/v1")!]
        configuration.region = .init(regionCode: "US-EAST", countryCode: "US")
        configuration.serviceIndicator = indicator
        let registrar = MobiusRegistrar(
            configuration: configuration,
            transport: InMemoryTransport(handler: mobius.handler),
            tokenProvider: tokens,
            now: clock.wallClock
        )
        client = CallingClient(
            registrar: registrar,
            configuration: clientConfiguration,
            clock: clock,
            wallClock: clock.wallClock,
            random: RandomSource { draw, _ in draw == .retryJitter ? jitter : rehomingMinutes },
            failoverProgressStore: progress
        )
        let client = self.client
        runner = Task { try? await client.run() }
    }

    /// A device of its own for line `number`.
    static func device(_ number: Int) -> LineDevice {
        LineDevice(userID: "user-1", deviceURL: "https://wdm.example.com/dev\(number)")
    }

    /// A new line with the fixed test device (or another), and a subscription to its events.
    func addLine(device: LineDevice = LineHarness.device) async throws -> (Line, LineEvents.AsyncIterator) {
        let line = try await client.addLine(LineOptions(phoneNumber: "+15550100", extension: "100", device: device))
        return (line, line.events.makeAsyncIterator())
    }

    /// A line registered on p1, with its event iterator past `registered`.
    func registeredLine() async throws -> (Line, LineEvents.AsyncIterator) {
        let (line, events) = try await addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        return (line, iterator)
    }

    /// Advances one keepalive interval, once the scheduler waits for it.
    func advanceOneInterval(_ interval: Duration = .seconds(30)) async {
        await clock.waitForSleepers()
        clock.advance(by: interval)
    }

    /// Shuts the client down gracefully and waits for it.
    func shutDown() async {
        client.beginGracefulShutdown()
        await runner.value
    }

    /// The Mobius requests (discovery excluded) as `METHOD url` lines.
    func calls(_ requests: [HTTPRequest]? = nil) -> [String] {
        (requests ?? mobius.requests).filter { !$0.url.absoluteString.contains("regionCode") }
            .map { "\($0.method) \($0.url.absoluteString)" }
    }

    /// Moves the clock to the earliest sleeper's deadline, after waiting for `sleepers` sleepers.
    func advanceToNextDeadline(sleepers: Int = 1) async {
        await clock.waitForSleepers(sleepers)
        clock.advance(to: clock.sleeperDeadlines[0])
    }
}
