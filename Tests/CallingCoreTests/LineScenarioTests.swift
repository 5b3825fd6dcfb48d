import CallingCore
import CallingTestSupport
import CallingTesting
import Foundation
import Testing

/// A line's life through a whole client, against a scripted registrar on a manual clock: what
/// the core does with each kind of answer, whatever the backend. (CallingMobiusTests shows the
/// same through the Mobius registrar and its HTTP.)
@Suite("Line scenarios (scripted registrar)", .timeLimit(.minutes(1)))
struct LineScenarioTests {
    typealias Client = ScriptedClient

    @Test("registered on the first primary; keepalives at the registration's interval; deregistered with one removal")
    func registerKeepaliveDeregister() async throws {
        let harness = Client()
        var (line, events) = try await harness.registeredLine()
        #expect(await line.info.keepaliveInterval == .seconds(30))
        #expect(await harness.advanceToNextDeadline() == .seconds(30))
        await harness.registrar.waitForCalls(.keepalive, count: 1)
        await line.deregister()
        #expect(await events.names(1) == ["unregistered"])
        #expect(harness.calls == ["register primary-1", "keepalive primary-1 registration-1", "deregister primary-1 registration-1"])
        #expect(await line.status == .idle)
        await harness.shutDown()
    }

    @Test("a retryable failure moves on to the next primary; after a failed round the line waits 30 s + 2 s + jitter and tries again")
    func retryRound() async throws {
        let harness = Client()
        var (_, events) = try await harness.lineWaitingToRetry()
        #expect(await harness.advanceToNextDeadline() == .seconds(42))
        #expect(await events.names(1) == ["registered(primary-1.scripted.invalid)"])
        #expect(harness.calls == ["register primary-1", "register primary-2", "register primary-1"])
        await harness.shutDown()
    }

    @Test("primaries failing round after round: retries at 42 and 86 s, then the backup, before the 114 s budget runs out")
    func failover() async throws {
        let harness = Client()
        let failure = LineError(code: .serverError, detail: "scripted")
        for primary in [Client.primary1, Client.primary2] {
            harness.registrar.setDefault(.retryable(failure), for: .register, at: primary)
        }
        var (line, events) = try await harness.addLine()
        try await line.register()
        #expect(await events.names(3) == ["connecting", "unregistered", "unregistered"])
        #expect(await harness.advanceToNextDeadline() == .seconds(42))
        #expect(await events.names(2) == ["unregistered", "unregistered"])
        #expect(await harness.advanceToNextDeadline() == .seconds(44))
        // The next wait (48 s) would end past the budget: on to the backup at once.
        #expect(await events.names(3) == ["unregistered", "unregistered", "registered(backup-1.scripted.invalid)"])
        #expect(await line.info.isOnBackup)
        #expect(harness.calls.suffix(1) == ["register backup-1"])
        await harness.shutDown()
    }

    @Test("a final error stops the line, with no timer left, until register() is called again")
    func finalError() async throws {
        let harness = Client()
        harness.registrar.enqueue(.final(LineError(code: .forbidden, detail: "scripted")), for: .register)
        var (line, events) = try await harness.addLine()
        try await line.register()
        #expect(await events.names(2) == ["connecting", "error(forbidden)"])
        #expect(await line.isStopped)
        #expect(harness.client.scheduledCount == 0)
        try await line.register()
        #expect(await events.names(2) == ["connecting", "registered(primary-1.scripted.invalid)"])
        await harness.shutDown()
    }

    @Test("the device limit: the listed device is removed and the line registers in its place")
    func deviceLimit() async throws {
        let harness = Client()
        let existing = RegisteredDevice(deviceID: "old-device", server: Client.primary1, clientDeviceURL: "urn:scripted:old")
        harness.registrar.enqueue(.deviceLimit(existing: existing, LineError(code: .forbidden, detail: "too many devices")), for: .register)
        var (line, events) = try await harness.addLine()
        try await line.register()
        #expect(await events.names(3) == ["connecting", "unregistered", "registered(primary-1.scripted.invalid)"])
        #expect(harness.calls == ["register primary-1", "deregister primary-1 old-device", "register primary-1"])
        #expect(await line.info.deviceID == "registration-2")
        await harness.shutDown()
    }

    @Test("keepalive misses: reconnecting after each, and at the limit (5) unregistered and a new registration")
    func keepaliveMisses() async throws {
        let harness = Client()
        var (_, events) = try await harness.registeredLine()
        for _ in 1...5 {
            harness.registrar.enqueue(.retryable(LineError(code: .serverError, detail: "scripted")), for: .keepalive)
        }
        for _ in 1...4 {
            await harness.advanceToNextDeadline()
            #expect(await events.names(1) == ["reconnecting"])
        }
        await harness.advanceToNextDeadline()
        #expect(await events.names(2) == ["unregistered", "registered(primary-1.scripted.invalid)"])
        #expect(harness.registrar.count(.keepalive) == 5)
        #expect(harness.registrar.count(.register) == 2)
        await harness.shutDown()
    }

    @Test("a keepalive that finds the registration gone: error(not_found), unregistered, and a fresh registration")
    func registrationGone() async throws {
        let harness = Client()
        var (_, events) = try await harness.registeredLine()
        harness.registrar.enqueue(.deviceNotFound(LineError(code: .notFound, detail: "scripted")), for: .keepalive)
        await harness.advanceToNextDeadline()
        #expect(await events.names(3) == ["error(not_found)", "unregistered", "registered(primary-1.scripted.invalid)"])
        #expect(harness.calls == ["register primary-1", "keepalive primary-1 registration-1", "register primary-1"])
        await harness.shutDown()
    }

    @Test("slow down on a keepalive: the next one goes after Retry-After (20 s), then every interval again, and it is not a miss")
    func keepalivePause() async throws {
        let harness = Client()
        let (line, _) = try await harness.registeredLine()
        harness.registrar.enqueue(.retryable(LineError(code: .tooManyRequests, detail: "scripted"), retryAfter: .seconds(20)), for: .keepalive)
        #expect(await harness.advanceToNextDeadline() == .seconds(30))
        await harness.registrar.waitForCalls(.keepalive, count: 1)
        await harness.clock.waitForSleeper(until: .init(offset: .seconds(50)))
        harness.clock.advance(to: .init(offset: .seconds(50)))
        await harness.registrar.waitForCalls(.keepalive, count: 2)
        await harness.clock.waitForSleeper(until: .init(offset: .seconds(80)))
        #expect(await line.status == .active)
        await harness.shutDown()
    }

    @Test("on a backup, the line pings the primaries after its rehoming window and moves back")
    func rehoming() async throws {
        let harness = Client(rehomingMinutes: 60)
        let failure = LineError(code: .serverError, detail: "scripted")
        harness.registrar.enqueue(.retryable(failure, retryAfter: .seconds(200)), for: .register, at: Client.primary1)
        harness.registrar.enqueue(.retryable(failure, retryAfter: .seconds(200)), for: .register, at: Client.primary2)
        var (line, events) = try await harness.addLine()
        try await line.register()
        #expect(await events.names(4) == ["connecting", "unregistered", "unregistered", "registered(backup-1.scripted.invalid)"])
        await harness.client.waitForDeadline(at: harness.clock.now.offset + .seconds(3600))
        harness.clock.advance(by: .seconds(3600))
        #expect(await events.names(2) == ["unregistered", "registered(primary-1.scripted.invalid)"])
        #expect(await line.info.isOnBackup == false)
        // A keepalive on the backup falls due at the same instant; only the order of the move is fixed.
        #expect(harness.calls.filter { !$0.hasPrefix("keepalive") }.suffix(3) == [
            "ping primary-1", "deregister backup-1 registration-3", "register primary-1",
        ])
        await harness.shutDown()
    }

    @Test("1,000 lines waiting to retry hold no task: the one scheduler sleeps for them all, and each retries on time")
    func waitingLinesHoldNoTask() async throws {
        let harness = Client()
        harness.registrar.setDefault(.retryable(LineError(code: .serviceUnavailable, detail: "scripted")), for: .register)
        let count = 1_000
        var lines: [(Line, LineEvents.AsyncIterator)] = []
        for _ in 0..<count {
            let line = try await harness.client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            #expect(await events.names(3) == ["connecting", "unregistered", "unregistered"])
            lines.append((line, events))
        }
        // Each waits 30 s + 2 s + 10 s of jitter from t = 0: a deadline each, one sleeper in all.
        await harness.client.waitForDeadlines(count)
        let deadlines = harness.client.scheduledDeadlines
        #expect(deadlines.count == count && Set(deadlines) == [.seconds(42)])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperCount == 1)
        harness.clock.advance(by: .seconds(42))
        await harness.registrar.waitForCalls(.register, count: 4 * count)
        for (_, var events) in lines {
            #expect(await events.names(2) == ["unregistered", "unregistered"])
        }
        await harness.shutDown()
    }

    @Test("deregister during a pending retry leaves no timer and sends nothing more")
    func deregisterDuringRetry() async throws {
        let harness = Client()
        var (line, events) = try await harness.lineWaitingToRetry()
        await harness.clock.waitForSleepers()
        await line.deregister()
        #expect(await events.names(1) == ["unregistered"])
        #expect(harness.client.scheduledCount == 0)
        harness.clock.advance(by: .seconds(600))
        await harness.shutDown()
        #expect(harness.calls == ["register primary-1", "register primary-2"])
    }
}
