import CallingTransport

/// Uniform random numbers from a `SplitMix64` sequence seeded once from the system's generator.
///
/// Retry jitter and rehoming windows only need to spread lines apart, not to be secret; the
/// system's generator costs a system call per value, and a line draws with every input. The
/// lines of a client share one, behind a lock ThreadSanitizer understands (`Locked`).
final class SeededGenerator: Sendable {
    private let generator: Locked<SplitMix64>

    init(seed: UInt64 = .random(in: .min ... .max)) {
        generator = Locked(SplitMix64(seed: seed))
    }

    /// A uniform value in `range`.
    func next(in range: ClosedRange<Int>) -> Int {
        generator.withLock { Int.random(in: range, using: &$0) }
    }
}
