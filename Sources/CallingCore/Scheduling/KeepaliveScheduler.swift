import CallingTransport

/// One timer for every line's keepalives: a single driver task that sleeps until the earliest
/// deadline and fires everything due.
///
/// - No drift: a keepalive is re-armed at its previous deadline plus its interval, not at "now
///   plus interval". A fire more than an interval late is not repeated; the next deadline is
///   the first one on the line's grid that is still ahead.
/// - Few wake-ups: deadlines are rounded up to a grid of `tolerance`, so keepalives due within it
///   share one wake-up (each wake-up of a sleeping task costs far more than a fire).
/// - One FIFO per distinct interval (see ``DeadlineQueue``) and a compact slot per line; no task
///   or closure per line.
///
/// Lines cancel and re-arm through a ``Handle``; stale queue entries are skipped by stamp.
package final class KeepaliveScheduler: Sendable {
    /// A scheduled keepalive, for cancelling or re-arming it.
    package struct Handle: Hashable, Sendable {
        fileprivate let slot: Int32
        fileprivate let identity: UInt32
    }

    private struct Slot {
        var target: (any KeepaliveTarget)?
        var interval: Int64
        var identity: UInt32
        var stamp: UInt32
    }

    private struct State {
        var slots: [Slot] = []
        var freeSlots: [Int32] = []
        var queues: [Int64: DeadlineQueue] = [:]
        var sleepingUntil: Int64?
        var sleeper: Task<Void, Never>?
        var idleWaiter: CheckedContinuation<Void, Never>?
        var stopped = false
        /// The list fires are collected in, kept between wake-ups so a wake-up allocates nothing.
        var firedBuffer: [(target: any KeepaliveTarget, deadline: Int64)] = []
    }

    private let time: TimeSource
    private let grid: Int64
    private let state = Locked(State())

    /// Creates a scheduler.
    ///
    /// - Parameters:
    ///   - time: The clock to sleep on.
    ///   - tolerance: How far a fire may be delayed to share a wake-up with others.
    package init(time: TimeSource, tolerance: Duration) {
        self.time = time
        self.grid = max(1, tolerance.nanoseconds)
    }

    /// Schedules `target` every `interval`, first at `firstDeadline` (a time on the scheduler's
    /// clock) or one interval from now.
    package func schedule(
        _ target: any KeepaliveTarget,
        every interval: Duration,
        firstDeadline: Duration? = nil
    ) -> Handle {
        let intervalNanos = max(1, interval.nanoseconds)
        let deadline = (firstDeadline ?? time.now() + interval).nanoseconds
        let (handle, wake) = state.withLock { state -> (Handle, Wake?) in
            let slot: Int32
            if let reused = state.freeSlots.popLast() {
                slot = reused
            } else {
                slot = Int32(state.slots.count)
                state.slots.append(Slot(target: nil, interval: 0, identity: 0, stamp: 0))
            }
            state.slots[Int(slot)].target = target
            state.slots[Int(slot)].interval = intervalNanos
            state.slots[Int(slot)].identity &+= 1
            state.slots[Int(slot)].stamp &+= 1
            let stamp = state.slots[Int(slot)].stamp
            state.queues[intervalNanos, default: DeadlineQueue()].insert(
                ScheduledKeepalive(deadline: deadline, slot: slot, stamp: stamp)
            )
            return (Handle(slot: slot, identity: state.slots[Int(slot)].identity), Self.wake(&state, for: deadline, grid: grid))
        }
        wake?.perform()
        return handle
    }

    /// Moves the next keepalive to `deadline`; later ones follow at the interval from there.
    package func reschedule(_ handle: Handle, nextDeadline deadline: Duration) {
        let deadlineNanos = deadline.nanoseconds
        let wake = state.withLock { state -> Wake? in
            guard Self.isCurrent(handle, in: state) else { return nil }
            state.slots[Int(handle.slot)].stamp &+= 1
            let slot = state.slots[Int(handle.slot)]
            state.queues[slot.interval, default: DeadlineQueue()].insert(
                ScheduledKeepalive(deadline: deadlineNanos, slot: handle.slot, stamp: slot.stamp)
            )
            return Self.wake(&state, for: deadlineNanos, grid: grid)
        }
        wake?.perform()
    }

    /// Stops the keepalives of `handle`; harmless if already cancelled. When no keepalive is
    /// left, the driver stops sleeping and goes idle, so no timer outlives the last line.
    package func cancel(_ handle: Handle) {
        let sleeper = state.withLock { state -> Task<Void, Never>? in
            guard Self.isCurrent(handle, in: state) else { return nil }
            state.slots[Int(handle.slot)].target = nil
            state.slots[Int(handle.slot)].stamp &+= 1
            state.slots[Int(handle.slot)].identity &+= 1
            state.freeSlots.append(handle.slot)
            guard state.freeSlots.count == state.slots.count, state.sleepingUntil != nil else { return nil }
            state.sleepingUntil = nil
            return state.sleeper
        }
        sleeper?.cancel()
    }

    /// How many keepalives are scheduled.
    package var scheduledCount: Int {
        state.withLock { $0.slots.count - $0.freeSlots.count }
    }

    /// Drives the keepalives until the calling task is cancelled.
    package func run() async {
        state.withLock { $0.stopped = false }
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                fireDue()
                switch nextStep() {
                case .stop:
                    return
                case .idle:
                    await waitForWork()
                case .sleep(let sleeper):
                    await sleeper.value
                    state.withLock { state in
                        state.sleeper = nil
                        state.sleepingUntil = nil
                    }
                }
            }
        } onCancel: {
            let (sleeper, waiter) = state.withLock { state in
                state.stopped = true
                defer { state.idleWaiter = nil }
                return (state.sleeper, state.idleWaiter)
            }
            sleeper?.cancel()
            waiter?.resume()
        }
    }

    private enum Step {
        case stop
        case idle
        case sleep(Task<Void, Never>)
    }

    private func nextStep() -> Step {
        state.withLock { state in
            guard !state.stopped else { return .stop }
            guard let earliest = Self.earliestLiveDeadline(&state) else {
                return .idle
            }
            let target = (earliest + grid - 1) / grid * grid
            let time = self.time
            let sleeper = Task<Void, Never> { _ = try? await time.sleepUntil(.nanoseconds(target)) }
            state.sleeper = sleeper
            state.sleepingUntil = target
            return .sleep(sleeper)
        }
    }

    private func waitForWork() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.stopped || state.queues.values.contains(where: { !$0.isEmpty }) {
                    return true
                }
                state.idleWaiter = continuation
                return false
            }
            if resumeNow {
                continuation.resume()
            }
        }
    }

    private func fireDue() {
        let now = time.now().nanoseconds
        let due = state.withLock { state -> [(target: any KeepaliveTarget, deadline: Int64)] in
            var due = state.firedBuffer
            state.firedBuffer = []
            for interval in Array(state.queues.keys) {
                guard var queue = state.queues.removeValue(forKey: interval) else { continue }
                while let head = queue.first, head.deadline <= now {
                    _ = queue.removeFirst()
                    let index = Int(head.slot)
                    guard state.slots[index].stamp == head.stamp, let target = state.slots[index].target else { continue }
                    due.append((target, head.deadline))
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
        for (target, deadline) in due {
            target.keepaliveDue(deadline: .nanoseconds(deadline))
        }
        var buffer = due
        buffer.removeAll(keepingCapacity: true)
        state.withLock { $0.firedBuffer = buffer }
    }

    /// What to do, outside the lock, so the driver notices a deadline earlier than its sleep.
    private enum Wake {
        case idle(CheckedContinuation<Void, Never>)
        case sleeping(Task<Void, Never>)

        func perform() {
            switch self {
            case .idle(let continuation): continuation.resume()
            case .sleeping(let sleeper): sleeper.cancel()
            }
        }
    }

    private static func wake(_ state: inout State, for deadline: Int64, grid: Int64) -> Wake? {
        if let waiter = state.idleWaiter {
            state.idleWaiter = nil
            return .idle(waiter)
        }
        let rounded = (deadline + grid - 1) / grid * grid
        if let target = state.sleepingUntil, rounded < target, let sleeper = state.sleeper {
            state.sleepingUntil = nil
            return .sleeping(sleeper)
        }
        return nil
    }

    /// The earliest deadline whose entry is still current, dropping stale heads on the way so a
    /// cancelled or moved keepalive never costs a wake-up.
    private static func earliestLiveDeadline(_ state: inout State) -> Int64? {
        var earliest: Int64?
        for interval in Array(state.queues.keys) {
            while let head = state.queues[interval]?.first {
                let slot = state.slots[Int(head.slot)]
                if slot.stamp == head.stamp && slot.target != nil {
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

    private static func isCurrent(_ handle: Handle, in state: State) -> Bool {
        Int(handle.slot) < state.slots.count && state.slots[Int(handle.slot)].identity == handle.identity
            && state.slots[Int(handle.slot)].target != nil
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
