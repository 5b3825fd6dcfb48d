/// A counting semaphore for tasks: at most `count` holders at once, the others wait in order.
///
/// Bounds work that many lines or users start together: a client's deregistrations (a server
/// should not see 100,000 DELETEs in the same instant), a gateway's token refreshes.
package final class Permits: Sendable {
    private struct State {
        var available: Int
        var holders = 0
        var mostHolders = 0
        /// Waiters in arrival order from `head`; the array is compacted as it drains, so taking
        /// the next of 100,000 waiters costs O(1).
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)?] = []
        var head = 0
        var nextID: UInt64 = 0

        mutating func hold() {
            holders += 1
            mostHolders = max(mostHolders, holders)
        }

        mutating func nextWaiter() -> CheckedContinuation<Bool, Never>? {
            while head < waiters.count {
                let waiter = waiters[head]
                head += 1
                if head >= 1024, head * 2 >= waiters.count {
                    waiters.removeFirst(head)
                    head = 0
                }
                if let waiter {
                    return waiter.continuation
                }
            }
            waiters.removeAll(keepingCapacity: true)
            head = 0
            return nil
        }
    }

    private let state: Locked<State>

    /// Allows `count` holders at once (at least one).
    package init(_ count: Int) {
        state = Locked(State(available: max(1, count)))
    }

    /// How many permits are held now.
    package var held: Int {
        state.withLock(\.holders)
    }

    /// The most permits held at once so far.
    package var mostHeld: Int {
        state.withLock(\.mostHolders)
    }

    /// Takes a permit, waiting for one; false (and no permit) when the task is cancelled first.
    package func acquire() async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> Bool? in
                    if Task.isCancelled {
                        return false
                    }
                    if state.available > 0, state.head == state.waiters.count {
                        state.available -= 1
                        state.hold()
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let answer {
                    continuation.resume(returning: answer)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters[state.head...].firstIndex(where: { $0?.id == id }) else { return nil }
                defer { state.waiters[index] = nil }
                return state.waiters[index]?.continuation
            }
            waiter?.resume(returning: false)
        }
    }

    /// Returns a permit, handing it to the longest waiter if there is one.
    package func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.holders -= 1
            guard let next = state.nextWaiter() else {
                state.available += 1
                return nil
            }
            state.hold()
            return next
        }
        next?.resume(returning: true)
    }
}
