#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that threads and tasks share, guarded by a lock.
///
/// The value and its pthread mutex live in one allocation: a line holds several of these, so a
/// lock costs 40 bytes rather than an `NSLock` object and its three separately allocated
/// primitives. Copies share the same value and lock.
///
/// Not `Synchronization.Mutex`: on Linux with Swift 6.3, ThreadSanitizer does not see `Mutex`'s
/// futex-based locking and reports every guarded access as a race; it understands pthread
/// mutexes, so `swift test --sanitize=thread` stays meaningful.
package struct Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `ManagedBuffer` is never Sendable, but the value in `storage` is only read or
    // written inside `withLock`, which holds the mutex for the whole access, and `Value` is
    // itself Sendable.
    private let storage: LockedStorage<Value>

    /// Creates a lock guarding `value`.
    package init(_ value: Value) {
        storage = LockedStorage.make(value)
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock(body)
    }
}

private final class LockedStorage<Value: Sendable>: ManagedBuffer<Value, pthread_mutex_t> {
    static func make(_ value: Value) -> LockedStorage {
        let buffer = create(minimumCapacity: 1) { _ in value }
        buffer.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        }
        return unsafeDowncast(buffer, to: LockedStorage.self)
    }

    deinit {
        withUnsafeMutablePointerToElements { mutex in
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
        }
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { value, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&value.pointee)
        }
    }
}
