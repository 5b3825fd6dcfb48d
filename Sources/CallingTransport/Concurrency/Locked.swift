import Foundation

/// A value that threads and tasks share, guarded by a lock.
///
/// Used instead of `Synchronization.Mutex` because, on Linux with Swift 6.3, ThreadSanitizer
/// does not see `Mutex`'s futex-based locking and reports every guarded access as a race;
/// `NSLock` is a pthread mutex, which it understands, so `swift test --sanitize=thread` stays
/// meaningful.
package final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only read or written inside `withLock`, which holds `lock`
    // for the whole access, and `Value` is itself Sendable.
    private let lock = NSLock()
    private var value: Value

    /// Creates a lock guarding `value`.
    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
