import CallingCore
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// Durations and counts from outside (a registrar's results, a failover file, configuration) at
/// their extremes: each is held to `InboundLimits`, and none traps (#20, cases 1, 2 and 4).
@Suite("Values from outside", .timeLimit(.minutes(1)))
struct HostileValueTests {
    typealias Run = LineStateMachineRun

    func registered(_ run: inout Run, keepalive: Duration = .seconds(30)) -> [String] {
        run.run([.register, .progress(nil), .registered(keepalive: keepalive)]).last!
    }

    @Test(
        "a keepalive's Retry-After pauses at most a day (case 1: Int64.max, 10^10 s, a date in year 9999 trapped)",
        arguments: [
            (Duration.seconds(Int64.max), 86_430), (.seconds(10_000_000_000), 86_430), (.seconds(Int64.min), 30), (.seconds(90), 120),
        ]
    )
    func keepaliveRetryAfter(requested: Duration, pausedUntil: Int) {
        var run = Run()
        _ = registered(&run)
        _ = run(.wait(seconds: 30))
        #expect(run(.keepaliveFailed(429, retryAfter: requested)) == ["pause keepalives until \(pausedUntil)"])
    }

    @Test("a registration's Retry-After of Int64.max seconds is a day: past the budget, so on to the backups")
    func registrationRetryAfter() {
        var run = Run()
        #expect(run.run([.register, .progress(nil), .failed(429, retryAfter: .seconds(Int64.max))]).last == [
            "unregistered(too_many_requests)", "save attempt 1 at 0 s on backups", "attempt b1",
        ])
    }

    @Test(
        "a registrar's keepalive interval is held to half a second … a day (case 2: 10^10 s trapped in the scheduler)",
        arguments: [
            (Duration.seconds(10_000_000_000), "every 86400.0 seconds"), (.seconds(Int64.max), "every 86400.0 seconds"),
            (.zero, "every 0.5 seconds"), (.seconds(-30), "every 0.5 seconds"), (.seconds(45), "every 45.0 seconds"),
        ]
    )
    func keepaliveInterval(given: Duration, held: String) {
        var run = Run()
        #expect(registered(&run, keepalive: given) == ["keepalives on p1 \(held)", "registered p1"])
    }

    @Test("a rehoming window of Int64.max seconds is at most a day")
    func rehomingWindow() {
        var run = Run(rehomingMinutes: 100_000)
        _ = run.run([.register, .progress(nil), .registered(rehoming: .seconds(60) ... .seconds(Int64.max))])
        _ = run.run([.keepaliveFailed(500), .keepaliveFailed(500), .keepaliveFailed(500), .keepaliveFailed(500)])
        #expect(run(.keepaliveFailed(500)) == ["stop keepalives", "unregistered(server_error)", "attempt p1"])
        #expect(run(.failed(500)).last == "sleep until 42")
        _ = run(.timer)
        _ = run(.failed(500))
        _ = run(.timer)
        _ = run(.failed(500))
        #expect(run(.registered()).last == "sleep until \(86 + 1_440 * 60)")
    }

    @Test(
        "a failover file's numbers are held: attempt 0…64, elapsed 0…the primary budget (case 4: 1e308 and Int.min trapped)",
        arguments: [
            (1e308, 2, 2, 114), (-1e308, 2, 2, 0), (Double.nan, 2, 2, 0), (Double.infinity, 2, 2, 114), (30, Int.min, 0, 30),
            (30, Int.max, 64, 30),
        ]
    )
    func failoverFile(elapsed: Double, attempt: Int, heldAttempt: Int, heldElapsed: Int) {
        let savedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let saved = FailoverProgress(attempt: attempt, elapsedSeconds: elapsed, savedAt: savedAt, onBackups: false)
        let progress = LineStateMachine.Progress(resuming: saved, at: savedAt, budget: RetryPolicy.defaults.primaryBudget)
        #expect(progress == .init(attempt: heldAttempt, elapsed: .seconds(heldElapsed), onBackups: false))
        var run = Run()
        #expect(run.run([.register, .progress(progress)]).last?.isEmpty == false)
    }

    @Test("a failover file saved in year 9999 or year 1 is resumed within the budget")
    func failoverFileDates() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for savedAt in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            let file = #"{"attempt":2,"elapsedSeconds":40,"savedAt":"\#(savedAt)","onBackups":false}"#
            let saved = try #require(FileFailoverProgressStore.decode(Data(file.utf8)))
            let progress = LineStateMachine.Progress(resuming: saved, at: now, budget: .seconds(114))
            #expect((Duration.seconds(40)...Duration.seconds(114)).contains(progress.elapsed))
        }
    }

    @Test("a miss limit of 1000 gives up after exactly 1000 misses", arguments: [1000, 300])
    func missLimitBeyondAByte(limit: Int) {
        var run = Run(missLimit: limit, rehomingWindowMinutes: -5...Int.max)
        _ = registered(&run)
        for _ in 1..<limit {
            #expect(run(.keepaliveFailed(500)) == ["reconnecting(server_error)"])
        }
        #expect(run(.keepaliveFailed(500)) == ["stop keepalives", "unregistered(server_error)", "attempt p1"])
    }

    @Test("configuration past the machine's 16-bit counters is held to 65,535, not a trap")
    func missLimitBeyondSixteenBits() {
        let policy = LineStateMachine.Policy(
            retryPolicy: .defaults, rehomingWindowMinutes: 60...120, failbackTooManyRequestsRetries: .max, keepaliveMissLimit: .max
        )
        #expect(policy.keepaliveMissLimit == 65_535)
        #expect(policy.failbackTooManyRequestsRetries == 65_535)
    }

    @Test("the scheduler takes any interval and deadline without trapping, and keeps firing the others on time")
    func schedulerExtremes() async {
        let clock = ManualClock()
        let time = TimeSource(clock: clock, date: clock.wallClock)
        let scheduler = KeepaliveScheduler(time: time, tolerance: .seconds(Int64.max))
        let (fires, continuation) = AsyncStream.makeStream(of: (String, Duration).self)
        let huge = scheduler.schedule(RecordingTarget("huge", time: time, fires: continuation), every: .seconds(Int64.max))
        _ = scheduler.schedule(RecordingTarget("never", time: time, fires: continuation), every: .nanoseconds(-1), firstDeadline: .seconds(Int64.max))
        scheduler.reschedule(huge, nextDeadline: .seconds(Int64.max))
        scheduler.reschedule(huge, nextDeadline: .seconds(Int64.min))
        _ = scheduler.schedule(RecordingTarget("normal", time: time, fires: continuation), every: .seconds(30))
        #expect(scheduler.turn() == .sleep(until: .seconds(60)))
        var fired = fires.makeAsyncIterator()
        #expect(await fired.next()!.0 == "huge")
        clock.advance(by: .seconds(60))
        _ = scheduler.turn()
        #expect(await fired.next()! == ("normal", .seconds(60)))
    }
}
