import CallingCore
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The faults of the lifecycle issue (#10), each through a whole client: the real Mobius
/// registrar, an in-memory scripted server and a manual clock. Cases 5 and 6 are in
/// ``RegistrationScenarioTests`` and ``LineLifecycleTests``; case 7 is the CLI's.
@Suite("Lifecycle faults", .timeLimit(.minutes(1)))
struct LifecycleFaultTests {
    static let status = "\(LineHarness.p1)devices/mobius-p1-dev/status"

    @Test("1. a token refresh that fails for now is a keepalive miss, and the line recovers")
    func transientTokenFailure() async throws {
        let harness = LineHarness(tokens: InMemoryTokenProvider(refusing: .init(requiresLogin: false)))
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 401))
        await harness.advanceOneInterval()
        #expect(await iterator.names(1) == ["reconnecting"])
        await harness.advanceOneInterval()
        #expect(await iterator.names(1) == ["reconnected"])
        #expect(await line.info.status == .active)
        #expect(await !line.isStopped)
        await harness.shutDown()
    }

    @Test("1. a refresh that needs a new login is final: error(token_error)")
    func loginRequired() async throws {
        let harness = LineHarness(tokens: InMemoryTokenProvider(refusing: .init(requiresLogin: true)))
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 401))
        await harness.advanceOneInterval()
        #expect(await iterator.names(2) == ["error(token_error)", "unregistered"])
        #expect(await line.isStopped)
        await harness.shutDown()
    }

    @Test("2. register() right after deregister() registers again once the DELETE is done")
    func registerAfterDeregister() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        await line.deregister()
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "registered(mobius-p1.example.com)"])
        #expect(harness.calls() == [
            "POST \(LineHarness.p1)device", "DELETE \(LineHarness.p1)devices/mobius-p1-dev", "POST \(LineHarness.p1)device",
        ])
        #expect(await line.info.status == .active)
        await harness.shutDown()
    }

    @Test("3. a graceful shutdown waits for a registration under way and removes it")
    func shutdownDuringAttempt() async throws {
        let harness = LineHarness()
        let slow = Gate()
        harness.mobius.hold(.post, "\(LineHarness.p1)device", until: slow)
        let (line, events) = try await harness.addLine()
        var iterator = events
        let before = harness.mobius.requests.count
        try await line.register()
        #expect(await iterator.names(1) == ["connecting"])
        _ = await harness.mobius.requests(count: before + 1)
        harness.client.beginGracefulShutdown()
        slow.open()
        await harness.runner.value
        var rest: [String] = []
        while let event = await iterator.next() {
            rest.append(event.label)
        }
        // The answer may reach the line before the shutdown does (then it reports the registration first).
        #expect(rest == ["unregistered"] || rest == ["registered(mobius-p1.example.com)", "unregistered"])
        #expect(harness.calls() == ["POST \(LineHarness.p1)device", "DELETE \(LineHarness.p1)devices/mobius-p1-dev"])
        #expect(harness.mobius.cancelledRequests.isEmpty)
    }

    @Test("3. an attempt that outlasts the shutdown time limit is reported, not claimed removed")
    func shutdownTimeLimitDuringAttempt() async throws {
        let harness = LineHarness()
        let never = Gate()
        harness.mobius.hold(.post, "\(LineHarness.p1)device", until: never)
        let (line, events) = try await harness.addLine()
        var iterator = events
        let before = harness.mobius.requests.count
        try await line.register()
        _ = await harness.mobius.requests(count: before + 1)
        harness.client.beginGracefulShutdown()
        await harness.clock.waitForSleeper(until: .init(offset: .seconds(10)))
        harness.clock.advance(by: .seconds(10))
        await harness.runner.value
        guard case .error(let error) = await iterator.names(1) == ["connecting"] ? await iterator.next() : nil else {
            Issue.record("expected the deregistration_incomplete error")
            return
        }
        #expect(error.code == .deregistrationIncomplete)
        #expect(error.detail.contains("a registration attempt at mobius-p1.example.com had not answered"))
        #expect(await iterator.next() == nil)
        never.open()
    }

    @Test("4. a keepalive slower than the interval is reported before the next one's recovery, every time")
    func eventsInOrder() async throws {
        let harness = LineHarness()
        let (_, events) = try await harness.registeredLine()
        var iterator = events
        for _ in 0..<100 {
            let slow = Gate()
            harness.mobius.hold(.post, Self.status, until: slow)
            let before = harness.mobius.requests.count
            await harness.advanceOneInterval()
            _ = await harness.mobius.requests(count: before + 1)
            await harness.advanceOneInterval()
            #expect(await iterator.names(2) == ["reconnecting", "reconnected"])
            slow.open()
        }
        await harness.shutDown()
    }

    @Test("8. a keepalive answered 409: error(session_superseded), unregistered, and no re-registration")
    func sessionSuperseded() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 409))
        await harness.advanceOneInterval()
        #expect(await iterator.names(2) == ["error(session_superseded)", "unregistered"])
        #expect(await line.isStopped)
        harness.clock.advance(by: .seconds(3600))
        await harness.shutDown()
        #expect(harness.calls().filter { $0.hasSuffix("/device") }.count == 1)
        #expect(harness.calls().filter { $0.hasSuffix("/status") }.count == 1)
    }

    @Test("removeLine deregisters the line, finishes its events and forgets it")
    func removeLine() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        await harness.client.removeLine(line)
        #expect(await iterator.names(2) == ["unregistered", "<finished>"])
        #expect(harness.client.lines.isEmpty)
        #expect(harness.client.line(id: line.id) == nil)
        #expect(harness.calls().last == "DELETE \(LineHarness.p1)devices/mobius-p1-dev")
        await harness.shutDown()
    }
}
