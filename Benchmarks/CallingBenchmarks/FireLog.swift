import CallingTransport

/// Per-line fire counts and a lateness histogram, written by many tasks without allocating.
///
/// Counts live in one raw buffer: each line's slot is only ever written by that line's own fires,
/// which never overlap. Lateness goes to one of 64 lock-striped histograms.
final class FireLog: @unchecked Sendable {
    // @unchecked: `counts` is a fixed buffer; slot i is written only by line i's fires, which are
    // sequential (the scheduler's one task, a naive line's one loop, or a line's non-overlapping
    // keepalives), and read only after the run has stopped. The histograms are behind locks.
    let lines: Int
    private let counts: UnsafeMutablePointer<UInt32>
    private let stripes: [Locked<LatenessHistogram>]
    /// Fires due before this (warm-up) are not counted.
    private let firstCounted: Int64

    init(lines: Int, countingFrom firstCounted: Int64 = .min) {
        self.lines = lines
        self.firstCounted = firstCounted
        counts = .allocate(capacity: lines)
        counts.initialize(repeating: 0, count: lines)
        stripes = (0..<64).map { _ in Locked(LatenessHistogram()) }
    }

    deinit {
        counts.deallocate()
    }

    /// Whether a fire due at `deadline` is counted.
    func counts(deadline: Int64) -> Bool {
        deadline >= firstCounted
    }

    /// Records one fire of `line`, `lateness` nanoseconds after it was due.
    func record(line: Int, lateness: Int64) {
        counts[line] += 1
        stripes[line & 63].withLock { $0.record(nanoseconds: lateness) }
    }

    func count(of line: Int) -> Int { Int(counts[line]) }

    var histogram: LatenessHistogram {
        stripes.reduce(into: LatenessHistogram()) { total, stripe in total.merge(stripe.withLock { $0 }) }
    }
}
