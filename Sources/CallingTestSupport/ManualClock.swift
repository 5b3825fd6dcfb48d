import CallingTransport
import Foundation

/// A wall clock that moves only when a test says so.
///
/// Starts at a fixed date, so tests are repeatable; pass ``now`` where a type takes a
/// `() -> Date`.
public final class ManualClock: Sendable {
    private let current: Locked<Date>

    /// Creates a clock showing `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Locked(start)
    }

    /// The clock's current date.
    public var date: Date {
        current.withLock { $0 }
    }

    /// A function that reads the clock, for initializers that take one.
    public var now: @Sendable () -> Date {
        { [self] in date }
    }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        current.withLock { $0 += TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18 }
    }
}
