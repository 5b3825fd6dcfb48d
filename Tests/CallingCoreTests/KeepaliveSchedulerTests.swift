@testable import CallingCore
import CallingTestSupport
import CallingTesting
import Testing

/// Reports each fire, with its name (and "once" for a single deadline) and the clock's time,
/// on a shared stream.
final class RecordingTarget: SchedulerTarget {
    let name: String
    let time: TimeSource
    let fires: AsyncStream<(String, Duration)>.Continuation

    init(_ name: String, time: TimeSource, fires: AsyncStream<(String, Duration)>.Continuation) {
        self.name = name
        self.time = time
        self.fires = fires
    }

    func keepaliveDue(deadline: Duration) {
        fires.yield((name, time.now()))
    }

    func deadlineReached(_ handle: KeepaliveScheduler.Handle) {
        fires.yield(("\(name) once", time.now()))
    }
}

@Suite("Keepalive scheduler", .timeLimit(.minutes(1)))
struct KeepaliveSchedulerTests {
    let clock = ManualClock()
    let time: TimeSource
    let scheduler: KeepaliveScheduler
    let fires: AsyncStream<(String, Duration)>
    let firesContinuation: AsyncStream<(String, Duration)>.Continuation

    init() {
        (fires, firesContinuation) = AsyncStream.makeStream(of: (String, Duration).self)
        time = TimeSource(clock: clock, date: clock.wallClock)
        scheduler = KeepaliveScheduler(time: time, tolerance: .milliseconds(10))
    }

    func target(_ name: String) -> RecordingTarget {
        RecordingTarget(name, time: time, fires: firesContinuation)
    }

    /// Runs the scheduler for the duration of `body`.
    func running(_ body: (inout AsyncStream<(String, Duration)>.AsyncIterator) async throws -> Void) async rethrows {
        let driver = Task { await scheduler.run() }
        var iterator = fires.makeAsyncIterator()
        try await body(&iterator)
        driver.cancel()
        await driver.value
    }

    @Test("fires every interval at the previous deadline plus the interval, so late fires do not drift")
    func noDrift() async {
        await running { fired in
            _ = scheduler.schedule(target("a"), every: .seconds(30))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(30)])
            clock.advance(by: .seconds(30))
            #expect(await fired.next()! == ("a", .seconds(30)))

            await clock.waitForSleepers()
            clock.advance(by: .seconds(31))
            #expect(await fired.next()! == ("a", .seconds(61)))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(90)])
        }
    }

    @Test("a single deadline fires once, beside keepalives, and frees its slot; a cancelled one never fires")
    func singleDeadlines() async {
        await running { fired in
            _ = scheduler.schedule(target("keepalive"), every: .seconds(30))
            let retry = scheduler.scheduleOnce(target("retry"), at: .seconds(42))
            let cancelled = scheduler.scheduleOnce(target("cancelled"), at: .seconds(40))
            #expect(scheduler.deadlines == [.seconds(40), .seconds(42)])
            scheduler.cancel(cancelled)
            #expect(scheduler.deadlines == [.seconds(42)])
            #expect(scheduler.scheduledCount == 2)

            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            #expect(await fired.next()! == ("keepalive", .seconds(30)))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(42)])
            clock.advance(by: .seconds(12))
            #expect(await fired.next()! == ("retry once", .seconds(42)))
            #expect(scheduler.deadlines.isEmpty)
            #expect(scheduler.scheduledCount == 1)
            scheduler.cancel(retry)
            #expect(scheduler.scheduledCount == 1, "a spent handle cancels nothing")

            await clock.waitForSleepers()
            clock.advance(by: .seconds(18))
            #expect(await fired.next()! == ("keepalive", .seconds(60)))
        }
    }

    @Test("a fire more than an interval late happens once, and the grid is kept")
    func noCatchUpBurst() async {
        await running { fired in
            _ = scheduler.schedule(target("a"), every: .seconds(30))
            await clock.waitForSleepers()
            clock.advance(by: .seconds(100))
            #expect(await fired.next()! == ("a", .seconds(100)))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(120)])
        }
    }

    @Test("deadlines within the tolerance share one wake-up")
    func coalescing() async {
        await running { fired in
            _ = scheduler.schedule(target("a"), every: .seconds(30), firstDeadline: .milliseconds(30_001))
            _ = scheduler.schedule(target("b"), every: .seconds(30), firstDeadline: .milliseconds(30_009))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.milliseconds(30_010)])
            clock.advance(by: .milliseconds(30_010))
            #expect(await fired.next()?.0 == "a")
            #expect(await fired.next()?.0 == "b")
        }
    }

    @Test("a cancelled keepalive stops firing; cancelling twice is harmless")
    func cancel() async {
        await running { fired in
            let a = scheduler.schedule(target("a"), every: .seconds(30))
            _ = scheduler.schedule(target("b"), every: .seconds(30))
            scheduler.cancel(a)
            scheduler.cancel(a)
            #expect(scheduler.scheduledCount == 1)
            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            #expect(await fired.next()?.0 == "b")
            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            #expect(await fired.next()?.0 == "b")
        }
    }

    @Test("rescheduling moves the next fire, then the interval resumes from there")
    func reschedule() async {
        await running { fired in
            let a = scheduler.schedule(target("a"), every: .seconds(30))
            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            #expect(await fired.next()! == ("a", .seconds(30)))
            scheduler.reschedule(a, nextDeadline: .seconds(50))
            await clock.waitForSleeper(until: .init(offset: .seconds(50)))
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(50)])
            clock.advance(by: .seconds(20))
            #expect(await fired.next()! == ("a", .seconds(50)))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(80)])
        }
    }

    @Test("an earlier deadline wakes a driver that sleeps until a later one")
    func earlierDeadlineWakesDriver() async {
        await running { fired in
            _ = scheduler.schedule(target("slow"), every: .seconds(60))
            await clock.waitForSleepers()
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(60)])
            _ = scheduler.schedule(target("fast"), every: .seconds(10))
            await clock.waitForSleeper(until: .init(offset: .seconds(10)))
            #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(10)])
            clock.advance(by: .seconds(10))
            #expect(await fired.next()! == ("fast", .seconds(10)))
        }
    }

    @Test("lines with different intervals fire in deadline order")
    func mixedIntervals() async {
        await running { fired in
            _ = scheduler.schedule(target("20s"), every: .seconds(20))
            _ = scheduler.schedule(target("30s"), every: .seconds(30))
            var seen: [String] = []
            for _ in 0..<5 {
                await clock.waitForSleepers()
                clock.advance(to: clock.sleeperDeadlines[0])
                let (name, at) = await fired.next()!
                if at == .seconds(60) {
                    let other = await fired.next()!.0
                    seen += [name, other].sorted().map { "\($0)@60" }
                } else {
                    seen.append("\(name)@\(at.components.seconds)")
                }
            }
            #expect(seen == ["20s@20", "30s@30", "20s@40", "20s@60", "30s@60", "20s@80"])
        }
    }

    @Test("cancelling the driver stops it, idle or asleep")
    func stops() async {
        let idle = Task { await scheduler.run() }
        idle.cancel()
        await idle.value

        _ = scheduler.schedule(target("a"), every: .seconds(30))
        let sleeping = Task { await scheduler.run() }
        await clock.waitForSleepers()
        sleeping.cancel()
        await sleeping.value
        #expect(clock.sleeperCount == 0)
    }
}

/// Reports the deadline each fire was due at.
final class DeadlineTarget: SchedulerTarget {
    let deadlines: AsyncStream<Duration>.Continuation

    init(_ deadlines: AsyncStream<Duration>.Continuation) {
        self.deadlines = deadlines
    }

    func keepaliveDue(deadline: Duration) {
        deadlines.yield(deadline)
    }

    func deadlineReached(_ handle: KeepaliveScheduler.Handle) {
        Issue.record("no single deadline was scheduled")
    }
}

@Suite("Keepalive scheduler deadlines", .timeLimit(.minutes(1)))
struct KeepaliveSchedulerDeadlineTests {
    @Test("a late fire still reports the deadline it was due at")
    func reportsDeadline() async {
        let clock = ManualClock()
        let scheduler = KeepaliveScheduler(time: TimeSource(clock: clock, date: clock.wallClock), tolerance: .milliseconds(10))
        let (stream, continuation) = AsyncStream.makeStream(of: Duration.self)
        let driver = Task { await scheduler.run() }
        _ = scheduler.schedule(DeadlineTarget(continuation), every: .seconds(30))
        var deadlines = stream.makeAsyncIterator()
        await clock.waitForSleepers()
        clock.advance(by: .seconds(35))
        #expect(await deadlines.next() == .seconds(30))
        driver.cancel()
        await driver.value
    }
}
