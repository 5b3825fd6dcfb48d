/// Nanoseconds since a run began, and sleeping until such an instant: the kit's one view of time.
///
/// The kit is compiled in two packages (the root and `Integrations/`), so it uses only public
/// API; `calling-bench` builds one from the time source its scheduler runs on, so that deadlines
/// and measurements share an origin.
package struct BenchmarkTime: Sendable {
    /// Nanoseconds since the origin.
    package let now: @Sendable () -> Int64
    /// Sleeps until `now()` reaches the given nanoseconds; throws on cancellation.
    package let sleepUntil: @Sendable (Int64) async throws -> Void

    package init(now: @escaping @Sendable () -> Int64, sleepUntil: @escaping @Sendable (Int64) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    /// The continuous clock, from now.
    package static func continuous() -> BenchmarkTime {
        let clock = ContinuousClock()
        let origin = clock.now
        return BenchmarkTime(
            now: { nanoseconds(origin.duration(to: clock.now)) },
            sleepUntil: { try await clock.sleep(until: origin.advanced(by: .nanoseconds($0)), tolerance: nil) }
        )
    }

    /// `duration` in whole nanoseconds.
    package static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
