import Foundation

/// Runs blocking work (a subprocess, a socket wait) on a thread of its own and waits for it
/// without holding a pool thread: not a task's (a 2-core machine has two, and a test blocking
/// one stalls every other test's tasks), and not one of Dispatch's global queue either, whose
/// few threads URLSession and the SIP flow need meanwhile.
public func offPool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// ``offPool(_:)`` for work that cannot fail.
public func offPool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// Checks `condition` (which may block: it runs off the pool) every 50 ms until it holds or
/// `limit` has passed; whether it held. For state only an outside program shows (Kamailio's
/// bindings), where there is no event to wait on.
public func eventually(within limit: Duration = .seconds(20), _ condition: @escaping @Sendable () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await offPool(condition) {
            return true
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}
