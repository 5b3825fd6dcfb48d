/// A clock that runs `speed` times faster than real time, so Webex's real timers (30 s
/// keepalives, a 114 s failover budget, a rehoming window of minutes) play out in seconds against
/// the emulator: `calling demo` and `calling-bench soak` run a client on one.
public struct ScaledClock: Clock {
    /// A point on the clock: the scaled time since the clock was made.
    public struct Instant: InstantProtocol {
        /// Scaled time since the clock was made.
        public let offset: Duration

        /// Creates an instant.
        public init(offset: Duration) {
            self.offset = offset
        }

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The scaled time from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Whether `lhs` is earlier.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    /// How many times faster than real time the clock runs.
    public let speed: Int
    private let base = ContinuousClock()
    private let origin = ContinuousClock.now

    /// Creates a clock starting at zero now.
    public init(speed: Int) {
        self.speed = speed
    }

    /// The scaled time since the clock was made.
    public var now: Instant {
        Instant(offset: origin.duration(to: .now) * speed)
    }

    /// The real clock's resolution, scaled.
    public var minimumResolution: Duration { base.minimumResolution * speed }

    /// Sleeps until the clock reaches `deadline`, that is for 1/`speed` of the scaled time.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await base.sleep(until: origin.advanced(by: deadline.offset / speed), tolerance: nil)
    }
}
