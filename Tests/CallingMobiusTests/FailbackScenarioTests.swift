import CallingCore
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The reference client's test scenarios, "Failback": a line registered on a backup moves back to a primary.
@Suite("Failback scenarios", .timeLimit(.minutes(1)))
struct FailbackScenarioTests {
    static let backupDevice = "\(LineHarness.b1)devices/mobius-b1-dev"

    /// A line registered on the backup at t = 0 (the primary answered 429 with a Retry-After
    /// past the budget), with the rehoming window due at 60 minutes.
    func onBackup(_ harness: LineHarness) async throws -> (Line, LineEvents.AsyncIterator) {
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "120"]))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "registered(mobius-b1.example.com)"])
        await harness.client.waitForDeadline(at: .seconds(3600))
        #expect(harness.client.scheduledDeadlines == [.seconds(3600)])
        #expect(harness.client.scheduledCount == 2, "the rehoming check and the keepalives")
        return (line, iterator)
    }

    /// The calls after the initial registration, keepalives left out.
    func failbackCalls(_ harness: LineHarness) -> [String] {
        Array(harness.calls().dropFirst(2).filter { !$0.hasSuffix("/status") })
    }

    @Test("primary up after the window: DELETE on the backup, active on the primary, no failback timer left")
    func movesBack() async throws {
        let harness = LineHarness()
        let (line, events) = try await onBackup(harness)
        var iterator = events
        harness.clock.advance(by: .seconds(3600))
        #expect(await iterator.names(2) == ["unregistered", "registered(mobius-p1.example.com)"])
        #expect(failbackCalls(harness) == [
            "GET https://mobius-p1.example.com/api/v1/ping",
            "DELETE \(Self.backupDevice)",
            "POST \(LineHarness.p1)device",
        ])
        let info = await line.info
        #expect(info.isOnBackup == false)
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(3630)])
        #expect(harness.client.scheduledDeadlines.isEmpty)
        await harness.shutDown()
    }

    @Test("primary answers 500: back on the backup, and a new window")
    func primaryFails() async throws {
        let harness = LineHarness()
        let (line, events) = try await onBackup(harness)
        var iterator = events
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 500))
        harness.clock.advance(by: .seconds(3600))
        #expect(await iterator.names(3) == ["unregistered", "unregistered", "registered(mobius-b1.example.com)"])
        #expect(failbackCalls(harness) == [
            "GET https://mobius-p1.example.com/api/v1/ping",
            "DELETE \(Self.backupDevice)",
            "POST \(LineHarness.p1)device",
            "POST \(LineHarness.b1)device",
        ])
        #expect(await line.info.isOnBackup)
        await harness.client.waitForDeadline(at: .seconds(7200))
        await harness.shutDown()
    }

    @Test("primary 500, then the backup 401: the line stops")
    func backupRefusesToken() async throws {
        let harness = LineHarness()
        let (line, events) = try await onBackup(harness)
        var iterator = events
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 500))
        harness.mobius.script(.post, "\(LineHarness.b1)device", HTTPResponse(status: 401), HTTPResponse(status: 401))
        harness.clock.advance(by: .seconds(3600))
        #expect(await iterator.names(3) == ["unregistered", "unregistered", "error(token_error)"])
        #expect(await line.info.status == .inactive)
        #expect(harness.client.scheduledCount == 0)
        await harness.shutDown()
    }

    @Test("primary ping down: stay on the backup, and a new window")
    func primaryDown() async throws {
        let harness = LineHarness()
        let (line, _) = try await onBackup(harness)
        harness.mobius.script(.get, "https://mobius-p1.example.com/api/v1/ping", HTTPResponse(status: 500))
        harness.clock.advance(by: .seconds(3600))
        await harness.client.waitForDeadline(at: .seconds(7200))
        #expect(failbackCalls(harness) == ["GET https://mobius-p1.example.com/api/v1/ping"])
        #expect(await line.info.isOnBackup)
        await harness.shutDown()
    }

    @Test("429 while moving back: back on the backup, retried after interval(k), at most 5 times")
    func failback429() async throws {
        let harness = LineHarness()
        let (_, events) = try await onBackup(harness)
        var iterator = events
        let tooMany = HTTPResponse.json(429, "{}")
        harness.mobius.script(.post, "\(LineHarness.p1)device", tooMany, tooMany, tooMany, tooMany, tooMany, tooMany)
        var attemptAt = Duration.seconds(3600)
        for wait in [42, 44, 48, 56, 72, 3600] {
            harness.clock.advance(to: .init(offset: attemptAt))
            #expect(await iterator.names(3) == ["unregistered", "unregistered", "registered(mobius-b1.example.com)"])
            attemptAt += .seconds(wait)
            await harness.client.waitForDeadline(at: attemptAt)
        }
        await harness.shutDown()
    }
}
