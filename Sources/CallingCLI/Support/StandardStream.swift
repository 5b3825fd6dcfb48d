#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CallingTransport

/// Standard output or standard error, written with `write(2)`: once its reader has gone away (the
/// other end of a pipe closed, `head` done, a log reader dead), writes stop instead of failing
/// again, and ``closed()`` tells whoever waits for it. SIGPIPE is ignored (see `main.swift`), so a
/// closed pipe is an error here, not the end of the process.
final class StandardStream: Sendable {
    /// File descriptor 1.
    static let output = StandardStream(descriptor: 1)
    /// File descriptor 2.
    static let error = StandardStream(descriptor: 2)

    private let descriptor: Int32
    private let isGone = Locked(false)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes all of `text`, unless the reader has gone.
    func write(_ text: String) {
        guard !isGone.withLock({ $0 }) else { return }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { writeBytes(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                if errno == EPIPE { isGone.withLock { $0 = true } }
                return
            }
            offset += written
        }
    }

    /// Whether the reader has gone: a write found it, or the pipe reports it (no reader left).
    var isClosed: Bool {
        if isGone.withLock({ $0 }) { return true }
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, 0) > 0, entry.revents & Int16(POLLERR) != 0 else { return false }
        isGone.withLock { $0 = true }
        return true
    }

    /// Returns once the reader has gone, checking twice a second; ends early on cancellation.
    func closed() async {
        while !Task.isCancelled, !isClosed {
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}

/// `write(2)`, named apart from ``StandardStream/write(_:)``.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.write(descriptor, bytes, count)
    #else
    Glibc.write(descriptor, bytes, count)
    #endif
}
