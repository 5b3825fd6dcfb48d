import CallingTransport
import Foundation

/// One timer for every line's keepalives and waits: a single driver thread that waits until the
/// earliest deadline and fires everything due.
///
/// Besides its repeating keepalives, a line may wait for one deadline at a time (a retry, a
/// failover, a rehoming check; ``scheduleOnce(_:at:)``): a slot and a queue entry, some 50 bytes,
/// where a sleeping task would cost a task and its stack. A mass failover's 100,000 waiting
/// lines are 100,000 entries here.
///
/// - No drift: a keepalive is re-armed at its previous deadline plus its interval, not at "now
///   plus interval". A fire more than an interval late is not repeated; the next deadline is
///   the first one on the line's grid that is still ahead.
/// - Few wake-ups: deadlines are rounded up to a grid of `tolerance`, so keepalives due within it
///   share one wake-up (each wake-up costs far more than a fire).
/// - One FIFO per distinct interval (see ``DeadlineQueue``) and a compact slot per line; no task
///   or closure per line.
/// - A thread of its own rather than a task, because a wake-up of a sleeping task costs six
///   times as much CPU (see ``Alarm``). Firing only starts work, so the thread never waits on
///   anything but its alarm.
///
/// Lines cancel and re-arm through a ``Handle``; stale queue entries are skipped by stamp.
///
/// Its arithmetic never traps: intervals, deadlines and the tolerance are clamped where they
/// enter (lines bound what registrars give them first, see `InboundLimits`; this is the last line).
package final class KeepaliveScheduler: Sendable {
    /// A scheduled keepalive, for cancelling or re-arming it.
    package struct Handle: Hashable, Sendable {
        fileprivate let slot: Int32
        fileprivate let identity: UInt32
    }

    private struct Slot {
        var target: (any SchedulerTarget)?
        /// The keepalive interval, or ``once`` for a single deadline.
        var interval: Int64
        var identity: UInt32
        var stamp: UInt32
    }

    private struct State {
        var slots: [Slot] = []
        var freeSlots: [Int32] = []
        var queues: [Int64: DeadlineQueue] = [:]
        /// The deadline the driver waits for; nil while it runs or waits for work.
        var sleepingUntil: Int64?
        var stopped = false
        /// The list fires are collected in, kept between wake-ups so a wake-up allocates nothing.
        var firedBuffer: [Fire] = []
        /// Tests waiting for single deadlines to be scheduled (see ``waitForDeadlines(where:)``).
        var deadlineWaiters: [(matches: @Sendable ([Duration]) -> Bool, waiter: CheckedContinuation<Void, Never>)] = []
    }

    /// Something due: a keepalive at `deadline`, or the single deadline of `once`.
    private struct Fire {
        var target: any SchedulerTarget
        var deadline: Int64
        var once: Handle?
    }

    /// The interval of a slot that fires once: its entries wait in the queue of this key.
    private static let once: Int64 = 0

    private let time: TimeSource
    private let grid: Int64
    private let state = Locked(State())
    private let alarm: Alarm

    /// Creates a scheduler.
    ///
    /// - Parameters:
    ///   - time: The clock to sleep on.
    ///   - tolerance: How far a fire may be delayed to share a wake-up with others.
    package init(time: TimeSource, tolerance: Duration) {
        self.time = time
        self.grid = Self.nanoseconds(tolerance, in: 1...Self.longestTolerance)
        self.alarm = Alarm(time: time)
    }

    /// Schedules `target` every `interval`, first at `firstDeadline` (a time on the scheduler's
    /// clock) or one interval from now.
    package func schedule(
        _ target: any SchedulerTarget,
        every interval: Duration,
        firstDeadline: Duration? = nil
    ) -> Handle {
        let intervalNanos = Self.nanoseconds(interval, in: 1...Self.longestInterval)
        return add(target, interval: intervalNanos, deadline: firstDeadline ?? time.now() + interval)
    }

    /// Fires `target`'s ``SchedulerTarget/deadlineReached(_:)`` once, at `deadline` (a time on the
    /// scheduler's clock), unless cancelled first. The handle is spent once it fires.
    package func scheduleOnce(_ target: any SchedulerTarget, at deadline: Duration) -> Handle {
        add(target, interval: Self.once, deadline: deadline)
    }

    private func add(_ target: any SchedulerTarget, interval: Int64, deadline: Duration) -> Handle {
        let deadline = Self.nanoseconds(deadline, in: 0...Self.latestDeadline)
        var waiters: [CheckedContinuation<Void, Never>] = []
        let (handle, wake) = state.withLock { state -> (Handle, Bool) in
            let slot: Int32
            if let reused = state.freeSlots.popLast() {
                slot = reused
            } else {
                slot = Int32(state.slots.count)
                state.slots.append(Slot(target: nil, interval: 0, identity: 0, stamp: 0))
            }
            state.slots[Int(slot)].target = target
            state.slots[Int(slot)].interval = interval
            state.slots[Int(slot)].identity &+= 1
            state.slots[Int(slot)].stamp &+= 1
            let stamp = state.slots[Int(slot)].stamp
            state.queues[interval, default: DeadlineQueue()].insert(
                ScheduledKeepalive(deadline: deadline, slot: slot, stamp: stamp)
            )
            if interval == Self.once, !state.deadlineWaiters.isEmpty {
                let deadlines = Self.deadlines(in: state)
                waiters = state.deadlineWaiters.filter { $0.matches(deadlines) }.map(\.waiter)
                state.deadlineWaiters.removeAll { $0.matches(deadlines) }
            }
            return (Handle(slot: slot, identity: state.slots[Int(slot)].identity), Self.wake(&state, for: deadline, grid: grid))
        }
        waiters.forEach { $0.resume() }
        if wake {
            alarm.wake()
        }
        return handle
    }

    /// Moves the next keepalive to `deadline`; later ones follow at the interval from there.
    package func reschedule(_ handle: Handle, nextDeadline deadline: Duration) {
        let deadlineNanos = Self.nanoseconds(deadline, in: 0...Self.latestDeadline)
        let wake = state.withLock { state -> Bool in
            guard Self.isCurrent(handle, in: state) else { return false }
            state.slots[Int(handle.slot)].stamp &+= 1
            let slot = state.slots[Int(handle.slot)]
            state.queues[slot.interval, default: DeadlineQueue()].insert(
                ScheduledKeepalive(deadline: deadlineNanos, slot: handle.slot, stamp: slot.stamp)
            )
            return Self.wake(&state, for: deadlineNanos, grid: grid)
        }
        if wake {
            alarm.wake()
        }
    }

    /// Stops the keepalives or the single deadline of `handle`; harmless if already cancelled
    /// or fired. When nothing is left, the driver stops waiting for a deadline and goes idle,
    /// so no timer outlives the last line.
    package func cancel(_ handle: Handle) {
        let wake = state.withLock { state -> Bool in
            guard Self.isCurrent(handle, in: state) else { return false }
            Self.free(handle.slot, in: &state)
            guard state.freeSlots.count == state.slots.count, state.sleepingUntil != nil else { return false }
            state.sleepingUntil = nil
            return true
        }
        if wake {
            alarm.wake()
        }
    }

    /// How many keepalives and single deadlines are scheduled.
    package var scheduledCount: Int {
        state.withLock { $0.slots.count - $0.freeSlots.count }
    }

    /// The single deadlines scheduled (lines waiting to retry, fail over or rehome), earliest
    /// first: what a test on a manual clock expects a line to wait for.
    package var deadlines: [Duration] {
        state.withLock { Self.deadlines(in: $0) }
    }

    private static func deadlines(in state: State) -> [Duration] {
        guard let queue = state.queues[once] else { return [] }
        return queue.entries.filter { isLive($0, in: state) }.map { Duration.nanoseconds($0.deadline) }.sorted()
    }

    /// Returns once the single deadlines scheduled (earliest first) satisfy `matches` (at once if
    /// they do): a test on a manual clock waits for lines to arm their waits before moving it.
    package func waitForDeadlines(where matches: @escaping @Sendable ([Duration]) -> Bool) async {
        await withCheckedContinuation { waiter in
            let scheduled = state.withLock { state in
                let live = matches(Self.deadlines(in: state))
                if !live {
                    state.deadlineWaiters.append((matches, waiter))
                }
                return live
            }
            if scheduled {
                waiter.resume()
            }
        }
    }

    /// Drives the keepalives, on a thread of its own, until the calling task is cancelled.
    package func run() async {
        state.withLock { $0.stopped = false }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread { [self] in
                    drive()
                    finished.resume()
                }
            }
        } onCancel: {
            state.withLock { $0.stopped = true }
            alarm.wake()
        }
    }

    private func drive() {
        while true {
            switch turn() {
            case .stop: return
            case .idle: alarm.wait(until: nil)
            case .sleep(let deadline): alarm.wait(until: deadline)
            }
            state.withLock { $0.sleepingUntil = nil }
        }
    }

    /// What the driver waits for after a turn.
    package enum Step: Equatable {
        /// The scheduler was stopped.
        case stop
        /// Nothing is scheduled: wait until woken.
        case idle
        /// Wait until this time on the scheduler's clock, or until woken.
        case sleep(until: Duration)
    }

    /// One turn of the driver: fires every keepalive due now, then says what to wait for. The
    /// driver thread calls it in a loop; a test or fuzzer may call it directly instead of
    /// running the driver.
    package func turn() -> Step {
        fireDue()
        return nextStep()
    }

    private func nextStep() -> Step {
        state.withLock { state in
            guard !state.stopped else { return .stop }
            guard let earliest = Self.earliestLiveDeadline(&state) else {
                return .idle
            }
            let target = (earliest + grid - 1) / grid * grid
            state.sleepingUntil = target
            return .sleep(until: .nanoseconds(target))
        }
    }

    private func fireDue() {
        let now = time.now().nanoseconds
        let due = state.withLock { state -> [Fire] in
            var due = state.firedBuffer
            state.firedBuffer = []
            for interval in Array(state.queues.keys) {
                guard var queue = state.queues.removeValue(forKey: interval) else { continue }
                while let head = queue.first, head.deadline <= now {
                    _ = queue.removeFirst()
                    let index = Int(head.slot)
                    guard state.slots[index].stamp == head.stamp, let target = state.slots[index].target else { continue }
                    guard interval != Self.once else {
                        due.append(Fire(target: target, deadline: head.deadline, once: Handle(slot: head.slot, identity: state.slots[index].identity)))
                        Self.free(head.slot, in: &state)
                        continue
                    }
                    due.append(Fire(target: target, deadline: head.deadline, once: nil))
                    var next = head.deadline + interval
                    if next <= now {
                        next += ((now - next) / interval + 1) * interval
                    }
                    queue.insert(ScheduledKeepalive(deadline: next, slot: head.slot, stamp: head.stamp))
                }
                if !queue.isEmpty {
                    state.queues[interval] = queue
                }
            }
            return due
        }
        for fire in due {
            if let once = fire.once {
                fire.target.deadlineReached(once)
            } else {
                fire.target.keepaliveDue(deadline: .nanoseconds(fire.deadline))
            }
        }
        var buffer = due
        buffer.removeAll(keepingCapacity: true)
        state.withLock { $0.firedBuffer = buffer }
    }

    /// Empties `slot` for reuse: its queue entries go stale and its handle stops being current.
    private static func free(_ slot: Int32, in state: inout State) {
        state.slots[Int(slot)].target = nil
        state.slots[Int(slot)].stamp &+= 1
        state.slots[Int(slot)].identity &+= 1
        state.freeSlots.append(slot)
    }

    /// Whether the driver must wake to notice `deadline`: it waits for work, or for a later
    /// grid point than the one `deadline` rounds up to.
    private static func wake(_ state: inout State, for deadline: Int64, grid: Int64) -> Bool {
        let rounded = (deadline + grid - 1) / grid * grid
        guard let target = state.sleepingUntil else { return true }
        guard rounded < target else { return false }
        state.sleepingUntil = nil
        return true
    }

    /// The earliest deadline whose entry is still current, dropping stale heads on the way so a
    /// cancelled or moved keepalive never costs a wake-up.
    private static func earliestLiveDeadline(_ state: inout State) -> Int64? {
        var earliest: Int64?
        for interval in Array(state.queues.keys) {
            while let head = state.queues[interval]?.first {
                if isLive(head, in: state) {
                    earliest = min(earliest ?? head.deadline, head.deadline)
                    break
                }
                _ = state.queues[interval]?.removeFirst()
            }
            if state.queues[interval]?.isEmpty == true {
                state.queues[interval] = nil
            }
        }
        return earliest
    }

    /// The bounds that keep every sum of a deadline, an interval and the grid within `Int64`:
    /// a year, a minute, and about 73 years of the clock.
    private static let longestInterval: Int64 = 365 * 86_400 * 1_000_000_000
    private static let longestTolerance: Int64 = 60 * 1_000_000_000
    private static let latestDeadline = Int64.max / 4

    private static func nanoseconds(_ duration: Duration, in range: ClosedRange<Int64>) -> Int64 {
        InboundLimits.clamp(duration.nanoseconds, to: range)
    }

    /// Whether a queue entry is still its slot's (not cancelled, moved or fired).
    private static func isLive(_ entry: ScheduledKeepalive, in state: State) -> Bool {
        state.slots[Int(entry.slot)].stamp == entry.stamp && state.slots[Int(entry.slot)].target != nil
    }

    private static func isCurrent(_ handle: Handle, in state: State) -> Bool {
        Int(handle.slot) < state.slots.count && state.slots[Int(handle.slot)].identity == handle.identity
            && state.slots[Int(handle.slot)].target != nil
    }
}

extension Duration {
    /// The duration in whole nanoseconds; beyond `Int64`'s range (292 years), its nearest end.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? (seconds < 0 ? .min : .max) : total
    }
}
