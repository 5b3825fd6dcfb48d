import CallingCore
import CallingTestSupport
import CallingTesting
import Foundation
import Testing

/// Lines of several registrars in one client: each line talks only to its own registrar, with
/// that registrar's servers and miss limit, on the client's one scheduler.
@Suite("Many registrars in one client", .timeLimit(.minutes(1)))
struct ManyRegistrarsTests {
    let clock = ManualClock()

    static func servers(_ name: String) -> RegistrarServers {
        RegistrarServers(primaries: [ScriptedRegistrar.server("\(name)-primary")], backups: [ScriptedRegistrar.server("\(name)-backup")])
    }

    @Test("each line registers at its own registrar's servers and reconnects after its own registrar's miss limit")
    func ownServersAndMissLimit() async throws {
        let alice = ScriptedRegistrar(servers: Self.servers("alice"), keepaliveMissLimit: 2)
        let bob = ScriptedRegistrar(servers: Self.servers("bob"), keepaliveMissLimit: 5)
        let client = CallingClient(clock: clock, wallClock: clock.wallClock)
        let runner = Task { try await client.run() }
        let aliceLine = try await client.addLine(using: alice)
        let bobLine = try await client.addLine(using: bob)
        var aliceEvents = aliceLine.events.makeAsyncIterator()
        var bobEvents = bobLine.events.makeAsyncIterator()
        try await aliceLine.register()
        try await bobLine.register()
        #expect(await aliceEvents.names(2) == ["connecting", "registered(alice-primary.scripted.invalid)"])
        #expect(await bobEvents.names(2) == ["connecting", "registered(bob-primary.scripted.invalid)"])

        let miss = LineError(code: .serverError, detail: "scripted 503")
        alice.setDefault(.retryable(miss), for: .keepalive)
        bob.setDefault(.retryable(miss), for: .keepalive)
        for round in 1...2 {
            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            await alice.waitForCalls(.keepalive, count: round)
            await bob.waitForCalls(.keepalive, count: round)
        }
        #expect(await aliceEvents.names(1) == ["reconnecting"])
        #expect(await bobLine.status == .active)
        #expect(alice.calls.allSatisfy { $0.server.map { $0.url.host?.hasPrefix("alice") == true } ?? true })
        #expect(bob.calls.allSatisfy { $0.server.map { $0.url.host?.hasPrefix("bob") == true } ?? true })
        #expect(alice.count(.discover) == 1 && bob.count(.discover) == 1)

        client.beginGracefulShutdown()
        try await runner.value
        #expect(bob.count(.deregister) == 1)
    }

    @Test("a client made without a registrar adds lines only with one; start() has nothing to discover")
    func noDefaultRegistrar() async throws {
        let client = CallingClient(clock: clock, wallClock: clock.wallClock)
        #expect(try await client.start() == RegistrarServers(primaries: [], backups: []))
        let refusal = await #expect(throws: CallingError.self) { try await client.addLine() }
        #expect(refusal?.code == .invalidConfiguration)
        #expect(refusal?.message == "this client was made without a registrar: add lines with addLine(using:_:)")
        #expect(client.lines.isEmpty)
    }
}
