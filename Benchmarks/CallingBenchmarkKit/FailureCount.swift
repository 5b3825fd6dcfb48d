import Synchronization

/// Requests that failed, counted by the tasks that sent them.
final class FailureCount: Sendable {
    private let count = Atomic(0)

    /// The failures so far.
    var value: Int { count.load(ordering: .relaxed) }

    /// Counts one failure.
    func add() {
        count.add(1, ordering: .relaxed)
    }
}
