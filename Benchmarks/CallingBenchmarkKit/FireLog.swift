import Synchronization

/// Per-line fire counts and a lateness histogram, written by many tasks without allocating.
///
/// Counts live in one raw buffer: each line's slot is only ever written by that line's own fires,
/// which never overlap. Lateness goes to one of 64 lock-striped histograms.
package final class FireLog: @unchecked Sendable {
    // @unchecked: `counts` is a fixed buffer; slot i is written only by line i's fires, which are
    // sequential (the scheduler's one task, a naive line's one loop, or a line's non-overlapping
    // keepalives), and read only after the run has stopped. The histograms are behind locks.
    package let lines: Int
    private let counts: UnsafeMutablePointer<UInt32>
    private let stripes: [Stripe]
    /// Only fires due in this window are counted (not the warm-up, not after the end); atomics,
    /// so the check adds no lock to the fire being measured.
    private let windowStart: Atomic<Int64>
    private let windowEnd: Atomic<Int64>

    package init(lines: Int, window: ClosedRange<Int64> = .min ... .max) {
        self.lines = lines
        self.windowStart = Atomic(window.lowerBound)
        self.windowEnd = Atomic(window.upperBound)
        counts = .allocate(capacity: lines)
        counts.initialize(repeating: 0, count: lines)
        stripes = (0..<64).map { _ in Stripe() }
    }

    deinit {
        counts.deallocate()
    }

    /// Counts fires due in `window` from now on.
    package func count(in window: ClosedRange<Int64>) {
        windowStart.store(window.lowerBound, ordering: .relaxed)
        windowEnd.store(window.upperBound, ordering: .relaxed)
    }

    /// Records a fire of `line` if it was due in the window.
    package func recordIfCounted(line: Int, deadline: Int64, now: Int64) {
        if deadline >= windowStart.load(ordering: .relaxed), deadline <= windowEnd.load(ordering: .relaxed) {
            record(line: line, lateness: now - deadline)
        }
    }

    /// Records one fire of `line`, `lateness` nanoseconds after it was due.
    package func record(line: Int, lateness: Int64) {
        counts[line] += 1
        stripes[line & 63].histogram.withLock { $0.record(nanoseconds: lateness) }
    }

    package func count(of line: Int) -> Int { Int(counts[line]) }

    package var histogram: LatenessHistogram {
        stripes.reduce(into: LatenessHistogram()) { total, stripe in total.merge(stripe.histogram.withLock { $0 }) }
    }

    private final class Stripe: Sendable {
        let histogram = Mutex(LatenessHistogram())
    }
}
