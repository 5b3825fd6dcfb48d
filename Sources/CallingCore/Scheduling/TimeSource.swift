import Foundation

/// The client's view of time: any `Clock`, seen as durations since the client started, plus a
/// wall clock for dates (HTTP dates, saved failover progress).
///
/// Erasing the clock's `Instant` here keeps `CallingClient` non-generic while tests still inject
/// a manual clock.
package struct TimeSource: Sendable {
    /// Time since the source was created.
    package let now: @Sendable () -> Duration
    /// Sleeps until `now()` reaches the given offset; throws on cancellation.
    package let sleepUntil: @Sendable (Duration) async throws -> Void
    /// The wall-clock date.
    package let date: @Sendable () -> Date
    /// Whether `now()` is the system's monotonic time, so a thread may wait for a deadline with
    /// a timed wait instead of a task sleeping on the clock (see ``Alarm``).
    package let isSystemTime: Bool

    /// Wraps a clock and a wall clock.
    package init<C: Clock>(clock: C, date: @escaping @Sendable () -> Date) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        self.date = date
        isSystemTime = clock is ContinuousClock || clock is SuspendingClock
    }

    /// Sleeps for `duration` from now.
    package func sleep(for duration: Duration) async throws {
        try await sleepUntil(now() + duration)
    }
}
