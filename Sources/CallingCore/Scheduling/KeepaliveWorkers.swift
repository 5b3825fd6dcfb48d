import CallingTransport

/// Runs keepalives on long-lived worker tasks rather than a new task for each.
///
/// A new task per keepalive costs its allocation, the allocator slabs of its async frames and
/// a hand-off to a pool thread: more than the keepalive itself over an in-memory transport.
/// Workers take jobs from one queue and stay alive between them, so their frames are reused.
///
/// Concurrency still follows demand: a worker that takes a job while more are waiting makes
/// sure another worker is looking for work (waking an idle one, or starting one). Keepalives
/// that finish without waiting are drained by the workers already awake; keepalives that wait on
/// the network each end up with a worker of their own, as many as are in flight.
final class KeepaliveWorkers: Sendable {
    /// A job in the queue or running, for cancelling it.
    struct Ticket: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    typealias Job = @Sendable () async -> Void

    private struct Queued {
        let id: UInt64
        let job: Job
    }

    private struct State {
        var queue: [Queued] = []
        var head = 0
        var nextJob: UInt64 = 0
        var nextWorker = 0
        /// Workers started and not yet retired, by number.
        var workers: [Int: Task<Void, Never>] = [:]
        /// Workers recruited to start and not yet retired (a superset of `workers` while a
        /// start is under way).
        var live = 0
        /// Callers waiting until at most `limit` workers are left.
        var retireWaiters: [(limit: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Which worker runs each running job.
        var running: [UInt64: Int] = [:]
        /// Parked workers.
        var idle: [UnsafeContinuation<Resumption, Never>] = []
        /// Workers woken or started to look for work that have not taken a job yet.
        var searching = 0
        var stopped = false

        var hasQueued: Bool { head < queue.count }

        mutating func pop() -> Queued {
            let entry = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return entry
        }
    }

    /// Why a parked (or parking) worker goes on.
    private enum Resumption {
        /// Recruited to look for work (counted in `searching`).
        case recruited
        /// Work arrived while it was parking: look again, as before.
        case retry
        /// The pool stopped, or enough workers are idle already: retire.
        case stop
    }

    /// Something to do outside the lock so that another worker looks for work.
    private enum Helper {
        case wake(UnsafeContinuation<Resumption, Never>)
        case start(Int)
    }

    private let state = Locked(State())
    private let maximumIdle: Int

    /// Creates a pool with no workers yet.
    ///
    /// - Parameter maximumIdle: How many workers may wait for work; more retire when they run
    ///   out of it, so a burst of slow keepalives (a network outage until the timeout) does not
    ///   leave thousands of parked tasks behind.
    init(maximumIdle: Int = 64) {
        self.maximumIdle = maximumIdle
    }

    /// Queues `job`; a worker runs it soon.
    func submit(_ job: @escaping Job) -> Ticket {
        let (ticket, helper) = state.withLock { state -> (Ticket, Helper?) in
            state.nextJob &+= 1
            state.queue.append(Queued(id: state.nextJob, job: job))
            let helper = state.stopped || state.searching > 0 ? nil : Self.recruit(&state)
            return (Ticket(id: state.nextJob), helper)
        }
        perform(helper)
        return ticket
    }

    /// Cancels a job: one still queued never runs; a running one sees its task cancelled, and
    /// its worker retires afterwards (a cancelled task stays cancelled).
    ///
    /// The worker is cancelled with the lock held: once the lock is released it could finish the
    /// job and take another one, which must not be the one cancelled. (Cancellation handlers run
    /// inside `cancel()`; those on a keepalive's path never use this pool.)
    func cancel(_ ticket: Ticket) {
        state.withLock { state in
            if let index = state.queue[state.head...].firstIndex(where: { $0.id == ticket.id }) {
                state.queue.remove(at: index)
            } else if let worker = state.running[ticket.id] {
                state.workers[worker]?.cancel()
            }
        }
    }

    /// Stops every worker, idle ones at once and busy ones after their job (which sees its task
    /// cancelled), and returns once all have retired. Queued jobs are dropped.
    func stop() async {
        let (idle, busy) = state.withLock { state in
            state.stopped = true
            state.queue.removeAll()
            state.head = 0
            defer { state.idle.removeAll() }
            return (state.idle, Array(state.workers.values))
        }
        idle.forEach { $0.resume(returning: .stop) }
        busy.forEach { $0.cancel() }
        await retired(downTo: 0)
    }

    /// Returns once at most `limit` workers are left (started ones, and ones about to start).
    func retired(downTo limit: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                guard state.live > limit else { return true }
                state.retireWaiters.append((limit, continuation))
                return false
            }
            if done {
                continuation.resume()
            }
        }
    }

    /// How many workers exist (idle or busy).
    var workerCount: Int {
        state.withLock { $0.workers.count }
    }

    /// A worker, woken or started: which helper to use, counted as searching.
    private static func recruit(_ state: inout State) -> Helper {
        state.searching += 1
        if let parked = state.idle.popLast() {
            return .wake(parked)
        }
        state.nextWorker += 1
        state.live += 1
        return .start(state.nextWorker)
    }

    private func perform(_ helper: Helper?) {
        switch helper {
        case .wake(let parked)?:
            parked.resume(returning: .recruited)
        case .start(let number)?:
            state.withLock { state in
                state.workers[number] = Task { await self.work(number) }
            }
        case nil:
            break
        }
    }

    private func work(_ number: Int) async {
        var searching = true
        while let entry = await next(for: number, searching: searching) {
            await entry.job()
            let retire = state.withLock { state -> Bool in
                state.running[entry.id] = nil
                return Task.isCancelled || state.stopped
            }
            if retire {
                break
            }
            searching = false
        }
        let (helper, waiters) = state.withLock { state -> (Helper?, [CheckedContinuation<Void, Never>]) in
            state.workers[number] = nil
            state.live -= 1
            let helper = state.hasQueued && state.searching == 0 && !state.stopped ? Self.recruit(&state) : nil
            let live = state.live
            let waiters = state.retireWaiters.filter { $0.limit >= live }.map(\.continuation)
            state.retireWaiters.removeAll { $0.limit >= live }
            return (helper, waiters)
        }
        perform(helper)
        waiters.forEach { $0.resume() }
    }

    /// The next job for worker `number`, parking while there is none; nil when the worker
    /// should retire.
    /// `searching` says whether the worker is counted as looking for work.
    private func next(for number: Int, searching: Bool) async -> Queued? {
        var searching = searching
        while true {
            let (entry, helper) = state.withLock { state -> (Queued?, Helper?) in
                guard !state.stopped, state.hasQueued else { return (nil, nil) }
                if searching {
                    state.searching -= 1
                    searching = false
                }
                let entry = state.pop()
                state.running[entry.id] = number
                let helper = state.hasQueued && state.searching == 0 ? Self.recruit(&state) : nil
                return (entry, helper)
            }
            if let entry {
                perform(helper)
                return entry
            }
            let resumption = await withUnsafeContinuation { (parked: UnsafeContinuation<Resumption, Never>) in
                let now = state.withLock { state -> Resumption? in
                    if state.stopped {
                        return .stop
                    }
                    if state.hasQueued {
                        return .retry
                    }
                    if searching {
                        state.searching -= 1
                        searching = false
                    }
                    guard state.idle.count < maximumIdle else {
                        return .stop
                    }
                    state.idle.append(parked)
                    return nil
                }
                if let now {
                    parked.resume(returning: now)
                }
            }
            switch resumption {
            case .stop: return nil
            case .retry: continue
            case .recruited: searching = true
            }
        }
    }
}
