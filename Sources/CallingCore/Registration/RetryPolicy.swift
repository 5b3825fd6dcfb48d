/// How long a line waits between registration attempts, and how long it keeps trying its
/// primary servers before it moves to the backups.
///
/// The wait before attempt `n` is `base + 2ⁿ s + jitter`, the jitter a whole number of seconds
/// drawn uniformly from ``jitter``; the defaults are Webex's (30 s, 1…10 s, a 114 s primary budget).
public struct RetryPolicy: Sendable, Equatable {
    /// The fixed part of every wait.
    public var base: Duration
    /// The range, in whole seconds, of the random part of every wait.
    public var jitter: ClosedRange<Int>
    /// How long to keep retrying the primary servers before going to the backups.
    public var primaryBudget: Duration

    /// Creates a policy.
    public init(base: Duration, jitter: ClosedRange<Int>, primaryBudget: Duration) {
        self.base = base
        self.jitter = jitter
        self.primaryBudget = primaryBudget
    }

    /// Webex's values: 30 s base, 1…10 s jitter, 114 s of primary retries.
    public static var defaults: RetryPolicy {
        RetryPolicy(base: .seconds(30), jitter: 1...10, primaryBudget: .seconds(114))
    }

    /// The wait before attempt `attempt` (1-based) with the given jitter in seconds.
    ///
    /// The exponent is capped at 20 so a very long outage cannot overflow.
    public func interval(attempt: Int, jitterSeconds: Int) -> Duration {
        base + .seconds(1 << min(max(attempt, 0), 20)) + .seconds(jitterSeconds)
    }
}
