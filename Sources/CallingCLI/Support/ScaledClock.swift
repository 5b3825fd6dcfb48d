/// A clock that runs `speed` times faster than real time, so the demo shows Webex's real timers
/// (30 s keepalives, a 114 s failover budget, an hour-long rehoming window) in seconds.
struct ScaledClock: Clock {
    struct Instant: InstantProtocol {
        let offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let speed: Int
    private let base = ContinuousClock()
    private let origin = ContinuousClock.now

    init(speed: Int) {
        self.speed = speed
    }

    var now: Instant {
        Instant(offset: origin.duration(to: .now) * speed)
    }

    var minimumResolution: Duration { base.minimumResolution * speed }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await base.sleep(until: origin.advanced(by: deadline.offset / speed), tolerance: nil)
    }
}
