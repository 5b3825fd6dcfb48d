import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

@Suite("Line and client lifecycle", .timeLimit(.minutes(1)))
struct LineLifecycleTests {
    @Test("register then deregister: one DELETE, unregistered, the line as it started but idle, no timer left")
    func registerThenDeregister() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        let initial = await line.info
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        await line.deregister()
        #expect(await iterator.names(1) == ["unregistered"])
        #expect(harness.calls() == ["POST \(LineHarness.p1)device", "DELETE \(LineHarness.p1)devices/mobius-p1-dev"])
        var idle = initial
        idle.status = .idle
        #expect(await line.info == idle)
        #expect(await line.status == .idle)
        #expect(initial.status == .inactive)
        #expect(harness.client.scheduledCount == 0)
        harness.clock.advance(by: .seconds(3600))
        await harness.shutDown()
        #expect(harness.calls().count == 2)
    }

    @Test("deregister during a pending retry leaves no timer and sends nothing more")
    func deregisterDuringRetry() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 503))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.clock.waitForSleepers()
        await line.deregister()
        try await line.register()
        #expect(await iterator.names(3) == ["unregistered", "connecting", "registered(mobius-p1.example.com)"])
        await line.deregister()
        #expect(await iterator.names(1) == ["unregistered"])
        #expect(harness.client.scheduledCount == 0)
        harness.clock.advance(by: .seconds(600))
        await harness.shutDown()
        #expect(harness.calls() == [
            "POST \(LineHarness.p1)device", "POST \(LineHarness.p1)device", "DELETE \(LineHarness.p1)devices/mobius-p1-dev",
        ])
        #expect(harness.progress[LineHarness.progressKey] == nil)
    }

    @Test("many lines on one client fail independently")
    func independentLines() async throws {
        let harness = LineHarness()
        var lines: [(Line, LineEvents.AsyncIterator)] = []
        for number in 1...3 {
            lines.append(try await harness.addLine(device: LineHarness.device(number)))
        }
        for index in lines.indices {
            try await lines[index].0.register()
            #expect(await lines[index].1.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        }
        harness.mobius.script(.post, "\(LineHarness.p1)devices/mobius-p1-dev2/status", HTTPResponse(status: 500))
        await harness.clock.waitForSleepers()
        harness.clock.advance(by: .seconds(30))
        #expect(await lines[1].1.names(1) == ["reconnecting"])
        _ = await harness.mobius.requests(count: 1 + 3 + 3)
        for index in [0, 2] {
            #expect(await lines[index].0.info.status == .active)
        }
        #expect(Set(harness.client.lines.keys) == Set(lines.map(\.0.id)))
        #expect(harness.client.lines.allSatisfy { $0.key == $0.value.id })
        #expect(harness.client.line(id: lines[2].0.id) === lines[2].0)
        await harness.shutDown()
        for index in lines.indices {
            #expect(await lines[index].1.names(2) == ["unregistered", "<finished>"])
        }
        #expect(Set(harness.calls().filter { $0.hasPrefix("DELETE") }) == Set((1...3).map {
            "DELETE \(LineHarness.p1)devices/mobius-p1-dev\($0)"
        }))
    }

    @Test("graceful shutdown deregisters every line, finishes the streams and refuses new work")
    func gracefulShutdown() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        let late = line.events
        harness.client.beginGracefulShutdown()
        harness.client.beginGracefulShutdown()
        await harness.runner.value
        #expect(await iterator.names(2) == ["unregistered", "<finished>"])
        var lateIterator = late.makeAsyncIterator()
        #expect(await lateIterator.names(2) == ["unregistered", "<finished>"])
        #expect(await line.info.status == .idle)
        #expect(harness.client.scheduledCount == 0)

        await #expect(throws: CallingError.self) { try await line.register() }
        var after = line.events.makeAsyncIterator()
        #expect(await after.next() == nil)
        await #expect(throws: CallingError.self) { try await harness.client.addLine() }
        #expect(harness.calls().last == "DELETE \(LineHarness.p1)devices/mobius-p1-dev")
    }

    @Test("a second run() throws: a client runs once")
    func runTwice() async throws {
        let client = CallingClient(registrar: InertRegistrar())
        let runs = (0..<2).map { _ in Task { try await client.run() } }
        client.beginGracefulShutdown()
        var refused: [CallingError.Code] = []
        for run in runs {
            do {
                try await run.value
            } catch let error as CallingError {
                refused.append(error.code)
            }
        }
        #expect(refused == [.alreadyRunning])
        let error = await #expect(throws: CallingError.self) { try await client.run() }
        #expect(error?.code == .alreadyRunning)
    }

    @Test("a shutdown requested before run() starts is remembered")
    func shutdownBeforeRun() async throws {
        let client = CallingClient(registrar: InertRegistrar())
        client.beginGracefulShutdown()
        try await client.run()
        await #expect(throws: CallingError.self) { try await client.addLine() }
    }

    @Test("cancelling run() stops at once without deregistering, and says what it left at the server")
    func cancelStopsNow() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        harness.runner.cancel()
        await harness.runner.value
        guard case .error(let error) = await iterator.next() else {
            Issue.record("expected the error that says what stays registered")
            return
        }
        #expect(error.code == .deregistrationIncomplete)
        #expect(error.detail.contains("device mobius-p1-dev stays registered at mobius-p1.example.com"))
        #expect(await iterator.next() == nil)
        #expect(harness.calls() == ["POST \(LineHarness.p1)device"])
    }

    @Test("a subscriber that stops reading does not hold the line up; it keeps only the newest events")
    func slowSubscriber() async throws {
        var configuration = CallingClient.Configuration.defaults
        configuration.eventBufferSize = 4
        let harness = LineHarness(configuration: configuration)
        let (line, events) = try await harness.addLine()
        var reader = events
        let stalled = line.events
        try await line.register()
        #expect(await reader.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        let status = "\(LineHarness.p1)devices/mobius-p1-dev/status"
        for _ in 0..<10 {
            harness.mobius.script(.post, status, HTTPResponse(status: 500))
            await harness.clock.waitForSleepers()
            harness.clock.advance(by: .seconds(30))
            #expect(await reader.names(1) == ["reconnecting"])
            await harness.clock.waitForSleepers()
            harness.clock.advance(by: .seconds(30))
            #expect(await reader.names(1) == ["reconnected"])
        }
        #expect(await line.info.status == .active)
        await harness.shutDown()
        var stalledIterator = stalled.makeAsyncIterator()
        #expect(await stalledIterator.names(5) == ["reconnected", "reconnecting", "reconnected", "unregistered", "<finished>"])
    }

    /// A Mobius registrar whose every service (region, discovery, device manager) is a ``ScriptedMobius``.
    static func scriptedRegistrar() -> (ScriptedMobius, MobiusRegistrar) {
        let mobius = ScriptedMobius()
        var configuration = MobiusRegistrar.Configuration.defaults
        configuration.discoveryHosts = [ScriptedMobius.discoveryHost]
        configuration.deviceManagerURL = URL(string: "https://wdm.example.com/wdm/api/v1/devices")!
        configuration.regionURL = URL(string: "https://ds.example.com/v1/region")!
        let registrar = MobiusRegistrar(
            configuration: configuration, transport: InMemoryTransport(handler: mobius.handler), tokenProvider: InMemoryTokenProvider()
        )
        return (mobius, registrar)
    }

    @Test("withCallingClient discovers, runs the body, then deregisters and finishes the streams")
    func scoped() async throws {
        let (mobius, registrar) = Self.scriptedRegistrar()
        let events = try await withCallingClient(registrar: registrar) { client in
            let line = try await client.addLine()
            let unread = line.events
            var iterator = line.events.makeAsyncIterator()
            try await line.register()
            #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
            return unread
        }
        var rest = events.makeAsyncIterator()
        #expect(await rest.names(4) == ["connecting", "registered(mobius-p1.example.com)", "unregistered", "<finished>"])
        #expect(mobius.requests.map { "\($0.method) \($0.url.path)" } == [
            "GET /v1/region", "GET /api/v1/calling/web", "POST /wdm/api/v1/devices",
            "POST /api/v1/calling/web/device", "DELETE /api/v1/calling/web/devices/mobius-p1-dev-1",
        ])
    }

    @Test("cancelling the caller of withCallingClient stops the client at once, without deregistering")
    func scopedCancellation() async throws {
        let (mobius, registrar) = Self.scriptedRegistrar()
        let registered = Gate()
        let caller = Task {
            try await withCallingClient(registrar: registrar) { client in
                let line = try await client.addLine()
                var events = line.events.makeAsyncIterator()
                try await line.register()
                #expect(await events.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
                registered.open()
                return await events.names(2)
            }
        }
        await registered.wait()
        caller.cancel()
        let rest = try await caller.value
        #expect(rest == ["error(deregistration_incomplete)", "<finished>"] || rest == ["<finished>", "<finished>"])
        #expect(!mobius.requests.contains { $0.method == .delete })
    }

    @Test("withCallingClient rethrows a discovery failure before running the body")
    func scopedDiscoveryFailure() async throws {
        let failing = InMemoryTransport { request in
            throw TransportError(code: .hostNotFound, host: request.url.host ?? "", message: "no such host")
        }
        let registrar = MobiusRegistrar(transport: failing, tokenProvider: InMemoryTokenProvider())
        let error = await #expect(throws: CallingError.self) {
            try await withCallingClient(registrar: registrar) { _ in Issue.record("the body ran") }
        }
        #expect(error?.code == .discoveryFailed)
    }
}

/// A registrar with nothing behind it, for client tests that never register.
struct InertRegistrar: LineRegistrar {
    func discoverServers() async throws -> RegistrarServers { RegistrarServers(primaries: [], backups: []) }
    func makeDevice() async throws -> LineDevice { LineDevice(userID: "u", deviceURL: "d") }
    func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
        .final(LineError(code: .defaultError, detail: "inert"))
    }
    func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> { .succeeded }
    func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> { .succeeded }
    func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool { false }
}

@Suite("Shutdown time limit", .timeLimit(.minutes(1)))
struct ShutdownTimeLimitTests {
    @Test("a deregistration that hangs does not hold shutdown past the time limit")
    func timeLimit() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        let never = Gate()
        harness.mobius.hold(.delete, "\(LineHarness.p1)devices/mobius-p1-dev", until: never)
        harness.client.beginGracefulShutdown()
        await harness.clock.waitForSleeper(until: .init(offset: .seconds(10)))
        harness.clock.advance(by: .seconds(10))
        await harness.runner.value
        #expect(await iterator.names(2) == ["error(deregistration_incomplete)", "<finished>"])
        never.open()
    }
}

@Suite("Deregistration is never lost", .timeLimit(.minutes(1)))
struct DeregistrationNotLostTests {
    @Test("a second deregister() (or shutdown) while the DELETE is under way does not cancel it")
    func deregisterTwice() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        let slow = Gate()
        harness.mobius.hold(.delete, "\(LineHarness.p1)devices/mobius-p1-dev", until: slow)
        await line.deregister()
        _ = await harness.mobius.requests(count: 3)
        await line.deregister()
        slow.open()
        #expect(await iterator.names(1) == ["unregistered"])
        await harness.shutDown()
        #expect(harness.calls().filter { $0.hasPrefix("DELETE") }.count == 1)
        #expect(harness.mobius.cancelledRequests.isEmpty)
        #expect(await line.info.status == .idle)
    }
}
