/// Where the client's randomness comes from: retry jitter and rehoming windows.
///
/// Each value is drawn for a named purpose (a ``Draw``), so a test can script each kind on its
/// own and every wait is known in advance.
public struct RandomSource: Sendable {
    /// What a value is drawn for.
    public enum Draw: Sendable, Hashable {
        /// Seconds added to a retry wait (Webex's 1…10).
        case retryJitter
        /// Minutes a line on a backup waits before trying a primary again (the rehoming window).
        case rehomingWindow
    }

    private let pick: @Sendable (Draw, ClosedRange<Int>) -> Int

    /// Creates a source from a function that picks a value for a purpose in a range.
    public init(_ pick: @escaping @Sendable (Draw, ClosedRange<Int>) -> Int) {
        self.pick = pick
    }

    /// Uniform values from a generator of its own, seeded from the system's: the spread of
    /// retries and rehoming needs no secrecy, and a line draws with each input it handles.
    public static var system: RandomSource {
        let generator = SeededGenerator()
        return RandomSource { _, range in generator.next(in: range) }
    }

    /// A value for `draw` in `range`; values the function returns outside it are clamped into it.
    public func next(_ draw: Draw, in range: ClosedRange<Int>) -> Int {
        min(max(pick(draw, range), range.lowerBound), range.upperBound)
    }
}
