import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock (`flock`) on a file beside the data it guards, held across processes: two
/// processes (or two stores in one process) sharing a token file take turns to refresh.
///
/// The lock file is created (mode 0600) and never removed: removing it would let a waiter lock
/// a file that a newcomer no longer sees.
package enum FileLock {
    /// Runs `body` while holding the lock on `path`, waiting at most `limit` for it.
    ///
    /// - Throws: ``FileError`` when the lock file cannot be opened or another holder keeps the
    ///   lock past `limit`; otherwise what `body` throws.
    package static func withLock<Result: Sendable>(
        _ path: String, waitingAtMost limit: Duration = .seconds(30), _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        // Never through a symlink: one would take the lock on (or create) a file elsewhere.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            if errno == ELOOP {
                throw FileError(description: "the lock file \(path) is a symbolic link; remove the link (the lock file is made where it belongs)")
            }
            throw FileError(description: "open lock file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let deadline = ContinuousClock.now + limit
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw FileError(description: "lock \(path): \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now < deadline else {
                throw FileError(
                    description: "another process has held the lock \(path) for \(limit); find it (`fuser \(path)`) and stop it, then try again (removing the lock file would not free the lock; it would only stop processes from taking turns)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }
}
