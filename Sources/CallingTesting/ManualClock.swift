import CallingTransport
import Foundation

/// A clock that moves only when a test says so.
///
/// Sleepers wake when ``advance(by:)`` moves the clock to or past their deadline; a sleeper
/// cancelled first throws `CancellationError` at once. Tests wait with ``waitForSleepers(_:)``
/// until the code under test has gone to sleep, then advance: no real time passes and no
/// `Task.yield()` loops are needed. It also keeps a wall-clock ``date`` that moves with it, for
/// code that stamps or compares dates.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock: the time since it was created.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// The time since the clock's creation.
        public var offset: Duration

        /// Creates an instant `offset` after the clock's creation.
        public init(offset: Duration) {
            self.offset = offset
        }

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        /// The duration from this instant to `other`.
        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        /// Orders instants by offset.
        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        /// The offset, for example `30.0 seconds`.
        public var description: String { "\(offset)" }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var cancelledBeforeSleeping: Set<UInt64> = []
        var sleeperWaiters: [(condition: @Sendable ([Instant]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Locked(State())
    private let startDate: Date

    /// Creates a clock at offset zero whose wall-clock date starts at `startDate`.
    public init(startDate: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.startDate = startDate
    }

    /// The current instant.
    public var now: Instant {
        state.withLock { $0.now }
    }

    /// No resolution limit: deadlines are exact.
    public var minimumResolution: Duration { .zero }

    /// The wall-clock date: the start date plus the time advanced so far.
    public var date: Date {
        startDate + now.offset.timeInterval
    }

    /// A function that reads ``date``, for initializers that take a wall clock.
    public var wallClock: @Sendable () -> Date {
        { [self] in date }
    }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// Sleeps until the clock reaches `deadline`; returns at once if it already has.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case slept, wake, cancelled }
                let (outcome, waiters) = state.withLock { state -> (Outcome, [CheckedContinuation<Void, Never>]) in
                    if state.cancelledBeforeSleeping.remove(id) != nil {
                        return (.cancelled, [])
                    }
                    if deadline <= state.now {
                        return (.wake, [])
                    }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (.slept, Self.releasedWaiters(&state))
                }
                waiters.forEach { $0.resume() }
                switch outcome {
                case .slept: break
                case .wake: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelledBeforeSleeping.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        woken.forEach { $0.continuation.resume() }
    }

    /// Moves the clock forward to `instant` (no-op if it is already past it).
    public func advance(to instant: Instant) {
        advance(by: max(.zero, now.duration(to: instant)))
    }

    /// Waits until at least `count` tasks are asleep on the clock.
    public func waitForSleepers(_ count: Int = 1) async {
        await waitForSleepers { $0.count >= count }
    }

    /// Waits until some task is asleep until exactly `deadline`.
    public func waitForSleeper(until deadline: Instant) async {
        await waitForSleepers { $0.contains(deadline) }
    }

    private func waitForSleepers(where condition: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if condition(state.sleepers.map(\.deadline)) {
                    return true
                }
                state.sleeperWaiters.append((condition, continuation))
                return false
            }
            if ready {
                continuation.resume()
            }
        }
    }

    /// The deadlines of the tasks asleep now, earliest first.
    public var sleeperDeadlines: [Instant] {
        state.withLock { $0.sleepers.map(\.deadline).sorted() }
    }

    private static func releasedWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let deadlines = state.sleepers.map(\.deadline)
        let ready = state.sleeperWaiters.filter { $0.condition(deadlines) }.map(\.continuation)
        state.sleeperWaiters.removeAll { $0.condition(deadlines) }
        return ready
    }
}
