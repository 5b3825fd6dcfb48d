import CallingCore
import CallingTransport
import Testing

/// The line's decisions alone, table by table: each row is an input and the actions it gives.
/// the reference client's own test scenarios first, then the faults of the lifecycle issue (#10), numbered.
@Suite("Line state machine")
struct LineStateMachineTests {
    typealias Run = LineStateMachineRun

    /// A run registered on p1 at t = 0.
    func registered(_ run: inout Run) {
        #expect(run.run([.register, .progress(nil), .registered()]) == [
            ["connecting", "load progress"], ["attempt p1"], ["keepalives on p1", "registered p1"],
        ])
    }

    /// A run registered on the backup at t = 0 (the primary asked for a wait past the budget),
    /// its rehoming timer due at 60 minutes.
    func onBackup(_ run: inout Run) {
        #expect(run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(120)), .registered()]) == [
            ["connecting", "load progress"], ["attempt p1"],
            ["unregistered(too_many_requests)", "save attempt 1 at 0 s on backups", "attempt b1"],
            ["clear progress", "keepalives on b1", "registered b1 (backup)", "sleep until 3600"],
        ])
    }

    // MARK: The reference client's test scenarios, registration

    @Test("each random value is drawn by name, in its own range: a jitter of 1…100 s and a rehoming window of 1…5 min are told apart")
    func namedDraws() {
        let policy = LineStateMachine.Policy(
            retryPolicy: RetryPolicy(base: .seconds(30), jitter: 1...100, primaryBudget: .seconds(114)), rehomingWindowMinutes: 1...5,
            failbackTooManyRequestsRetries: 5, keepaliveMissLimit: 5
        )
        let asked = Locked<[String]>([])
        let random = RandomSource { draw, range in
            asked.withLock { $0.append("\(draw) \(range)") }
            return draw == .retryJitter ? 77 : 4
        }
        let draws = LineStateMachine.Draws(for: LineStateMachine(), policy: policy, from: random)
        #expect(draws.retryJitterSeconds == 77)
        #expect(draws.rehomingWindowMinutes == 4)
        #expect(asked.withLock { $0 } == ["retryJitter 1...100", "rehomingWindow 1...5"])
    }

    @Test("success: one attempt, connecting, registered, keepalives")
    func success() {
        var run = Run()
        registered(&run)
        #expect(run.info.status == .active)
    }

    @Test("401 after the refresh: error(token_error), one attempt, nothing left running")
    func unauthorized() {
        var run = Run()
        #expect(run.run([.register, .progress(nil), .refused(.tokenError)]) == [
            ["connecting", "load progress"], ["attempt p1"], ["error(token_error)"],
        ])
        #expect(run.machine.isStopped)
    }

    @Test("403/101 then 200: delete the listed device, then register on its server")
    func deviceLimit() {
        var run = Run(primaries: [Run.p1, Run.p2])
        #expect(run.run([.register, .progress(nil), .deviceLimit(on: Run.p2), .deleted, .registered()]) == [
            ["connecting", "load progress"], ["attempt p1"], ["delete old"],
            ["unregistered(forbidden)", "attempt p2"], ["keepalives on p2", "registered p2"],
        ])
    }

    @Test("a second 403/101 while restoring ends with the documented device-limit error")
    func deviceLimitReentry() {
        var run = Run(primaries: [Run.p1, Run.p2])
        #expect(run.run([.register, .progress(nil), .deviceLimit(on: Run.p1), .deleted, .deviceLimit(on: Run.p1)]) == [
            ["connecting", "load progress"], ["attempt p1"], ["delete old"],
            ["unregistered(forbidden)", "attempt p1"], ["error(device_limit_exceeded)"],
        ])
        #expect(run.machine.isStopped)
    }

    @Test("a listed device that cannot be removed ends with the documented device-limit error; one already gone does not")
    func deviceLimitUnresolvable() throws {
        var run = Run()
        var errors: [LineError] = []
        _ = run.run([.register, .progress(nil), .deviceLimit(on: Run.p1)])
        let actions = run.machine.handle(.deleteFinished(.retryable(Run.error(503)), LineStateMachine.Ticket(2)), in: run.environment)
        for case .emit(.error(let error)) in actions {
            errors.append(error)
        }
        let error = try #require(errors.first)
        #expect(error.msg == "Device limit exceeded. The user already logged in to a different device.")
        #expect(error.type == "registrationError")
        #expect(error.detail.contains("device old could not be removed"))
        var gone = Run()
        #expect(gone.run([.register, .progress(nil), .deviceLimit(on: Run.p1), .deleteFailed(404), .registered()]).suffix(2) == [
            ["unregistered(forbidden)", "attempt p1"], ["keepalives on p1", "registered p1"],
        ])
    }

    // MARK: 429

    @Test("429 with Retry-After 42 beats the 33 s interval")
    func retryAfterBeatsInterval() {
        var run = Run(jitter: 1)
        #expect(run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(42)), .timer]) == [
            ["connecting", "load progress"], ["attempt p1"],
            ["unregistered(too_many_requests)", "save attempt 1 at 0 s", "sleep until 42"], ["attempt p1"],
        ])
    }

    @Test("a Retry-After past the 114 s budget goes straight to the backups")
    func retryAfterPastBudget() {
        var run = Run()
        onBackup(&run)
    }

    @Test("a 500 after a 429 clears the stored Retry-After: the next round waits interval(2)")
    func serverErrorAfterTooManyRequests() {
        var run = Run(jitter: 1)
        #expect(run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(42)), .timer, .failed(500)]).last == [
            "unregistered(server_error)", "save attempt 2 at 42 s", "sleep until 77",
        ])
    }

    // MARK: Failover

    @Test("the primary keeps failing: retries at 42 and 86 s, then the backup, where the line stays")
    func failoverToBackup() {
        var run = Run()
        #expect(run.run([.register, .progress(nil), .failed(500), .timer, .failed(500), .timer, .failed(500), .registered()]) == [
            ["connecting", "load progress"], ["attempt p1"],
            ["unregistered(server_error)", "save attempt 1 at 0 s", "sleep until 42"], ["attempt p1"],
            ["unregistered(server_error)", "save attempt 2 at 42 s", "sleep until 86"], ["attempt p1"],
            ["unregistered(server_error)", "save attempt 3 at 86 s on backups", "attempt b1"],
            ["clear progress", "keepalives on b1", "registered b1 (backup)", "sleep until 3686"],
        ])
    }

    @Test("without a progress store: no load before the first attempt, nothing saved or cleared through a failover")
    func noProgressStore() {
        var run = Run(remembersProgress: false)
        #expect(run.run([.register, .failed(500), .timer, .failed(500), .timer, .failed(500), .registered()]) == [
            ["connecting", "attempt p1"],
            ["unregistered(server_error)", "sleep until 42"], ["attempt p1"],
            ["unregistered(server_error)", "sleep until 86"], ["attempt p1"],
            ["unregistered(server_error)", "attempt b1"],
            ["keepalives on b1", "registered b1 (backup)", "sleep until 3686"],
        ])
    }

    @Test("everything fails: the backup twice, then a final error(service_unavailable)")
    func everythingFails() {
        var run = Run()
        _ = run.run([.register, .progress(nil), .failed(500), .timer, .failed(500), .timer])
        #expect(run.run([.failed(500), .failed(500), .timer, .failed(500)]) == [
            ["unregistered(server_error)", "save attempt 3 at 86 s on backups", "attempt b1"],
            ["unregistered(server_error)", "sleep until 128"], ["attempt b1"],
            ["unregistered(server_error)", "clear progress", "error(service_unavailable)"],
        ])
        #expect(run.machine.isStopped)
        #expect(run.info.status == .inactive)
    }

    @Test("a graceful shutdown keeps the failover's progress for the next process; deregister() clears it")
    func shutdownKeepsProgress() {
        var stopping = Run()
        #expect(stopping.run([.register, .progress(nil), .failed(500), .shutdown]).last == ["cancel waiting", "unregistered"])
        var deregistering = Run()
        #expect(deregistering.run([.register, .progress(nil), .failed(500), .deregister]).last == ["cancel waiting", "clear progress", "unregistered"])
    }

    @Test("saved progress is resumed: attempt 2 after 62 s waits interval(2) = 44 s, no attempt first")
    func resumesProgress() {
        var run = Run()
        #expect(run.run([.register, .progress(.init(attempt: 2, elapsed: .seconds(62), onBackups: false))]) == [
            ["connecting", "load progress"], ["save attempt 2 at 62 s", "sleep until 44"],
        ])
        var backups = Run()
        #expect(backups.run([.register, .progress(.init(attempt: 3, elapsed: .seconds(90), onBackups: true))]).last == [
            "save attempt 3 at 90 s on backups", "attempt b1",
        ])
    }

    // MARK: Failback

    @Test("after the window a primary answers the ping: DELETE on the backup, registered on the primary, no timer left")
    func failbackMovesBack() {
        var run = Run()
        onBackup(&run)
        #expect(run.run([.timer, .ping(up: true), .deleted, .registered()]) == [
            ["ping p1"], ["stop keepalives", "delete b1-dev"], ["unregistered", "attempt p1"], ["keepalives on p1", "registered p1"],
        ])
    }

    @Test("failback: the primary answers 500, so back on the backup with a new window")
    func failbackPrimaryFails() {
        var run = Run()
        onBackup(&run)
        #expect(run.run([.timer, .ping(up: true), .deleted, .failed(500), .registered()]).suffix(2) == [
            ["unregistered(server_error)", "attempt b1"], ["keepalives on b1", "registered b1 (backup)", "sleep until 7200"],
        ])
    }

    @Test("failback: the primary answers 500, then the backup 401: the line stops")
    func failbackBackupRefuses() {
        var run = Run()
        onBackup(&run)
        #expect(run.run([.timer, .ping(up: true), .deleted, .failed(500), .refused(.tokenError)]).last == ["error(token_error)"])
        #expect(run.machine.isStopped)
    }

    @Test("failback: no primary answers the ping, so a new window")
    func failbackPrimaryDown() {
        var run = Run()
        onBackup(&run)
        #expect(run.run([.timer, .ping(up: false)]) == [["ping p1"], ["sleep until 7200"]])
    }

    @Test("failback: a 429 retries after interval(k), at most 5 times, then a whole window again")
    func failback429() {
        var run = Run()
        onBackup(&run)
        var waits: [Int64] = []
        for _ in 0..<6 {
            _ = run(.timer)
            let start = run.now
            _ = run.run([.ping(up: true), .deleted, .failed(429)])
            guard let sleep = run(.registered()).last, sleep.hasPrefix("sleep until ") else {
                Issue.record("no new window")
                return
            }
            waits.append(Int64(sleep.dropFirst("sleep until ".count))! - start.components.seconds)
        }
        #expect(waits == [42, 44, 48, 56, 72, 3600])
    }

    // MARK: Keepalive

    @Test("a failure below the threshold is reconnecting; the next success reconnected; the 5th failure reconnects, twice in a row")
    func keepaliveMisses() {
        var run = Run()
        registered(&run)
        #expect(run.run([.keepaliveFailed(500), .keepaliveSucceeded, .keepaliveSucceeded]) == [["reconnecting(server_error)"], ["reconnected"], []])
        for _ in 0..<2 {
            #expect(run.run(Array(repeating: .keepaliveFailed(503), count: 4)) == Array(repeating: ["reconnecting(service_unavailable)"], count: 4))
            #expect(run.run([.keepaliveFailed(503), .registered()]) == [
                ["stop keepalives", "unregistered(service_unavailable)", "attempt p1"], ["keepalives on p1", "registered p1"],
            ])
        }
    }

    @Test("contact center gives up after 4 misses")
    func contactCenterMissLimit() {
        var run = Run(missLimit: 4)
        registered(&run)
        #expect(run.run(Array(repeating: .keepaliveFailed(500), count: 4)).last == ["stop keepalives", "unregistered(server_error)", "attempt p1"])
    }

    @Test("after giving up, the line tries the last server first, then the primaries (each once)")
    func reconnectOrder() {
        var run = Run(primaries: [Run.p1, Run.p2])
        onBackupViaFailover(&run)
        #expect(run.run(Array(repeating: .keepaliveFailed(500), count: 5)).last == ["stop keepalives", "cancel waiting", "unregistered(server_error)", "attempt b1"])
        #expect(run.run([.failed(500), .failed(500)]) == [["unregistered(server_error)", "attempt p1"], ["unregistered(server_error)", "attempt p2"]])
    }

    private func onBackupViaFailover(_ run: inout Run) {
        _ = run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(200)), .failed(500), .registered()])
        #expect(run.info.isOnBackup)
    }

    @Test("404 on a keepalive: error and unregistered, then a fresh registration")
    func keepaliveNotFound() {
        var run = Run()
        registered(&run)
        #expect(run.run([.keepaliveNotFound, .registered()]) == [
            ["stop keepalives", "error(not_found)", "unregistered(not_found)", "attempt p1"], ["keepalives on p1", "registered p1"],
        ])
    }

    @Test("429 with Retry-After 20 on a keepalive pauses the keepalives, and is not a miss")
    func keepalivePause() {
        var run = Run()
        registered(&run)
        _ = run(.wait(seconds: 30))
        #expect(run.run([.keepaliveFailed(429, retryAfter: .seconds(20)), .keepaliveSucceeded]) == [["pause keepalives until 50"], []])
    }

    // MARK: Lines

    @Test("register then deregister: one DELETE, unregistered, status inactive at first and idle at the end")
    func registerThenDeregister() {
        var run = Run()
        registered(&run)
        #expect(run.run([.deregister, .deleted]) == [["stop keepalives", "delete p1-dev"], ["unregistered"]])
        #expect(run.info.status == .idle)
        #expect(Run().info.status == .inactive)
        #expect(run.machine.isSettled)
    }

    @Test("register() while registered or registering emits connecting and does nothing more")
    func registerTwice() {
        var run = Run()
        #expect(run.run([.register, .register, .progress(nil), .register, .registered(), .register]) == [
            ["connecting", "load progress"], ["connecting"], ["attempt p1"], ["connecting"], ["keepalives on p1", "registered p1"],
            ["connecting"],
        ])
        #expect(run.info.status == .active)
    }

    @Test("a stale answer (an old ticket) changes nothing")
    func staleAnswers() {
        var run = Run()
        _ = run.run([.register, .progress(nil), .failed(500)])
        let staleAttempt = run.machine.handle(.attemptFinished(.succeeded(LineRegistration(
            device: Run.device(on: Run.p1), keepaliveInterval: .seconds(30)
        )), .init(1)), in: run.environment)
        #expect(staleAttempt.isEmpty)
        #expect(run.machine.handle(.timerFired(.init(1)), in: run.environment).isEmpty)
        #expect(run(.timer) == ["attempt p1"])
    }

    // MARK: The lifecycle issue's cases

    @Test("1. a transient token failure is a miss on a keepalive and a retry on a registration, never final")
    func transientTokenFailure() {
        var run = Run()
        registered(&run)
        #expect(run(.keepaliveFailed(401)) == ["reconnecting(token_error)"])
        #expect(!run.machine.isStopped)
        var registering = Run()
        #expect(registering.run([.register, .progress(nil), .failed(401)]).last == [
            "unregistered(token_error)", "save attempt 1 at 0 s", "sleep until 42",
        ])
    }

    @Test("2. register() right after deregister() registers again once the DELETE is done")
    func registerAfterDeregister() {
        var run = Run()
        registered(&run)
        #expect(run.run([.deregister, .register, .deleted, .progress(nil), .registered()]) == [
            ["stop keepalives", "delete p1-dev"], ["connecting"], ["unregistered", "load progress"],
            ["attempt p1"], ["keepalives on p1", "registered p1"],
        ])
    }

    @Test("3. shutdown during an attempt waits for it, and undoes a registration it made")
    func shutdownDuringAttempt() {
        var run = Run()
        #expect(run.run([.register, .progress(nil), .shutdown, .registered(), .deleted]) == [
            ["connecting", "load progress"], ["attempt p1"], [], ["delete p1-dev"], ["unregistered"],
        ])
        #expect(run.machine.isShutDown)
        var failing = Run()
        #expect(failing.run([.register, .progress(nil), .shutdown, .failed(503), .register]).suffix(3) == [[], ["unregistered"], []])
        #expect(failing.machine.isShutDown)
    }

    @Test("3. stopping at once during an attempt or a DELETE says what may stay at the server")
    func stopNowReports() {
        var attempting = Run()
        #expect(attempting.run([.register, .progress(nil), .stopNow]).last == ["cancel waiting", "error(deregistration_incomplete)"])
        var deleting = Run()
        registered(&deleting)
        #expect(deleting.run([.shutdown, .stopNow, .deleted]) == [["stop keepalives", "delete p1-dev"], ["error(deregistration_incomplete)"], []])
        var idle = Run()
        #expect(idle.run([.stopNow]) == [[]])
    }

    @Test("5. a round keeps its longest Retry-After: 429 (100 s) from p1, then 500 from p2, waits 100 s")
    func roundKeepsRetryAfter() {
        var run = Run(primaries: [Run.p1, Run.p2], jitter: 1)
        #expect(run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(100)), .failed(500)]).suffix(2) == [
            ["unregistered(too_many_requests)", "attempt p2"], ["unregistered(server_error)", "save attempt 1 at 0 s", "sleep until 100"],
        ])
    }

    @Test("6. every deregister() ends with exactly one unregistered, whatever the state")
    func deregisterAlwaysUnregisters() {
        var retrying = Run()
        #expect(retrying.run([.register, .progress(nil), .failed(500), .deregister]).last == [
            "cancel waiting", "clear progress", "unregistered",
        ])
        var idle = Run()
        #expect(idle.run([.deregister, .deregister]) == [["unregistered"], ["unregistered"]])
        var stopped = Run()
        #expect(stopped.run([.register, .progress(nil), .refused(.badRequest), .deregister]).last == ["unregistered"])
        var deleting = Run()
        registered(&deleting)
        #expect(deleting.run([.deregister, .deregister, .shutdown, .deleted]) == [
            ["stop keepalives", "delete p1-dev"], [], [], ["unregistered", "unregistered"],
        ])
        var attempting = Run()
        #expect(attempting.run([.register, .progress(nil), .deregister, .failed(500)]).suffix(2) == [[], ["unregistered"]])
    }

    @Test("8. a keepalive answered 409: error and unregistered, and no re-registration")
    func sessionSuperseded() {
        var run = Run()
        registered(&run)
        #expect(run(.keepaliveRefused(.sessionSuperseded)) == ["stop keepalives", "error(session_superseded)", "unregistered(session_superseded)"])
        #expect(run.machine.isStopped)
        #expect(run.run([.keepaliveFailed(500), .wait(seconds: 3600)]) == [[], []])
    }
}
