import CallingTransport

/// A counting semaphore for tasks: at most `count` holders at once, the others wait in order.
///
/// Bounds how many lines of a client deregister at once, whether a shutdown or ``CallingClient/removeLine(_:)``
/// asks: a server should not see 100,000 DELETEs in the same instant.
final class Permits: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Locked<State>

    init(_ count: Int) {
        state = Locked(State(available: max(1, count)))
    }

    /// Takes a permit, waiting for one; false (and no permit) when the task is cancelled first.
    func acquire() async -> Bool {
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
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
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
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Returns a permit, handing it to the longest waiter if there is one.
    func release() {
        let next = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil as CheckedContinuation<Bool, Never>?
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
