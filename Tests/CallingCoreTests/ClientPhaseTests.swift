import CallingCore
import CallingTestSupport
import CallingTesting
import Foundation
import Testing

/// The client's phases (not started, running, stopping, stopped) and the limits on its
/// deregistrations, against a ``ScriptedRegistrar`` on a manual clock.
@Suite("Client phases", .timeLimit(.minutes(1)))
struct ClientPhaseTests {
    let clock = ManualClock()
    let registrar = ScriptedRegistrar()

    func client(_ configuration: CallingClient.Configuration = .defaults) -> CallingClient {
        CallingClient(registrar: registrar, configuration: configuration, clock: clock, wallClock: clock.wallClock)
    }

    /// A running client with one line registered on primary-1, and the line's events past that.
    func runningClient(
        _ configuration: CallingClient.Configuration = .defaults
    ) async throws -> (client: CallingClient, runner: Task<Void, any Error>, line: Line, events: LineEvents.AsyncIterator) {
        let client = client(configuration)
        let runner = Task { try await client.run() }
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        #expect(await events.names(2) == ["connecting", "registered(primary-1.scripted.invalid)"])
        return (client, runner, line, events)
    }

    @Test("a cancelled client refuses new lines, and its lines refuse to register again")
    func cancelledClientRefuses() async throws {
        var (client, runner, line, events) = try await runningClient()
        runner.cancel()
        try await runner.value
        #expect(await events.names(2) == ["error(deregistration_incomplete)", "<finished>"])

        let refusal = await #expect(throws: CallingError.self) { try await client.addLine() }
        #expect(refusal?.code == .shutDown)
        #expect(refusal?.message == "the client has stopped; create a new client to add lines")
        let lineRefusal = await #expect(throws: CallingError.self) { try await line.register() }
        #expect(lineRefusal?.code == .shutDown)
        #expect(lineRefusal?.message.contains("add a new line to a running client") == true)
        #expect(registrar.count(.register) == 1)
        #expect(await line.status == .idle)
        #expect(client.scheduledCount == 0)
        await #expect(throws: CallingError.self) { try await client.run() }
    }

    @Test("a removed line refuses to register")
    func removedLineRefuses() async throws {
        let client = client()
        let line = try await client.addLine()
        await client.removeLine(line)
        #expect(client.line(id: line.id) == nil)
        await #expect(throws: CallingError.self) { try await line.register() }
        #expect(registrar.count(.register) == 0)
    }

    /// 10,000 lines; 1,000 under ThreadSanitizer, where 10,000 took 24 s of both cores and
    /// starved the loopback tests running beside it. The bound is the same.
    @Test("10,000 lines deregister with at most 64 DELETEs in flight, every one of them")
    func boundedDeregistration() async throws {
        let count = ThreadSanitizer.isRunning ? 1_000 : 10_000
        let client = client()
        let runner = Task { try await client.run() }
        var lines: [Line] = []
        for _ in 0..<count {
            lines.append(try await client.addLine())
        }
        for line in lines {
            try await line.register()
        }
        await registrar.waitForCalls(.register, count: count)
        registrar.hold(.deregister)
        client.beginGracefulShutdown()
        await registrar.waitForCalls(.deregister, count: 64)
        registrar.release(.deregister)
        try await runner.value
        #expect(registrar.count(.deregister) == count)
        #expect(registrar.mostInFlight(.deregister) == 64)
        for line in lines {
            #expect(await line.status == .idle)
        }
    }

    @Test("removeLine returns after the time limit against a registrar that never answers, and says what it left")
    func removeLineTimeLimit() async throws {
        var configuration = CallingClient.Configuration.defaults
        configuration.shutdownTimeLimit = .seconds(5)
        var (client, runner, line, events) = try await runningClient(configuration)
        registrar.setDefault(.never, for: .deregister)
        let removal = Task { await client.removeLine(line) }
        await registrar.waitForCalls(.deregister, count: 1)
        await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(5)))
        clock.advance(by: .seconds(5))
        await removal.value
        #expect(await events.names(2) == ["error(deregistration_incomplete)", "<finished>"])
        #expect(client.lines.isEmpty)
        #expect(registrar.inFlight(.deregister) == 0)
        client.beginGracefulShutdown()
        try await runner.value
    }

    @Test("run() returns only once its keepalive workers have retired")
    func workersStopped() async throws {
        let (_, runner, _, _) = try await runningClient()
        registrar.setDefault(.never, for: .keepalive)
        await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        await registrar.waitForCalls(.keepalive, count: 1)
        runner.cancel()
        try await runner.value
        #expect(registrar.inFlight(.keepalive) == 0)
    }

    @Test("withCallingClient runs the body in the caller's isolation and leaves nothing registered")
    @MainActor
    func scopedClient() async throws {
        let client = client()
        let registered = try await withCallingClient(client) { client in
            MainActor.assertIsolated()
            let line = try await client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            return await events.names(2)
        }
        #expect(registered == ["connecting", "registered(primary-1.scripted.invalid)"])
        #expect(registrar.count(.deregister) == 1)
        await #expect(throws: CallingError.self) { try await client.addLine() }
    }
}
