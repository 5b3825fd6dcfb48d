/// Each line's next keepalive deadline, moved on by its own keepalives, so that every keepalive's
/// lateness is measured against the schedule its registration set.
package final class LineSchedule: @unchecked Sendable {
    // @unchecked: `next` is a fixed buffer; slot i is written only by line i's registration and
    // keepalives, which never overlap. `firstDeadlines` is written and read only by the
    // benchmark's own task.
    package let log: FireLog
    private let intervalNanos: Int64
    private let next: UnsafeMutablePointer<Int64>
    package private(set) var firstDeadlines: [Int64] = []

    package init(lines: Int, intervalNanos: Int64, log: FireLog) {
        self.log = log
        self.intervalNanos = intervalNanos
        next = .allocate(capacity: lines)
        next.initialize(repeating: 0, count: lines)
    }

    deinit {
        next.deallocate()
    }

    /// Line `line` registered at `now`: its first keepalive is due one interval later.
    package func registered(line: Int, now: Int64) {
        next[line] = now + intervalNanos
    }

    /// Line `line` sent a keepalive at `now`: records its lateness if counted, and moves on.
    package func keepalive(line: Int, now: Int64) {
        let due = next[line]
        next[line] = due + intervalNanos
        log.recordIfCounted(line: line, deadline: due, now: now)
    }

    /// Counts keepalives due in `window`, and notes each line's first deadline in it.
    package func startCounting(in window: ClosedRange<Int64>) {
        let start = window.lowerBound
        firstDeadlines = (0..<log.lines).map { line in
            let deadline = next[line]
            return deadline >= start ? deadline : deadline + ((start - deadline + intervalNanos - 1) / intervalNanos) * intervalNanos
        }
        log.count(in: window)
    }
}
