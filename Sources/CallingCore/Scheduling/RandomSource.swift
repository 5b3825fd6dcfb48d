/// Where the client's randomness comes from: retry jitter and rehoming windows.
///
/// Tests pass a fixed or scripted source so that every wait is known in advance.
public struct RandomSource: Sendable {
    private let pick: @Sendable (ClosedRange<Int>) -> Int

    /// Creates a source from a function that picks a value in a range.
    public init(_ pick: @escaping @Sendable (ClosedRange<Int>) -> Int) {
        self.pick = pick
    }

    /// Uniform values from the system's generator.
    public static var system: RandomSource {
        RandomSource { Int.random(in: $0) }
    }

    /// A value in `range`; values the function returns outside it are clamped into it.
    public func next(in range: ClosedRange<Int>) -> Int {
        min(max(pick(range), range.lowerBound), range.upperBound)
    }
}
