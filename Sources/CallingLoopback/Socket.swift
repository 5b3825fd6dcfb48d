#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, blocking wrappers over the POSIX socket calls the loopback server needs.
package enum Socket {
    #if canImport(Darwin)
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #else
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif

    /// A listening TCP socket on 127.0.0.1 and the port it got.
    package static func makeListener(port: UInt16, backlog: Int32) throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, streamType, 0)
        guard descriptor >= 0 else {
            throw LoopbackServerError(message: "cannot create a socket: \(errorText())")
        }
        setOption(descriptor, SO_REUSEADDR, 1)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            let text = errorText()
            close(descriptor)
            throw LoopbackServerError(
                message: "cannot listen on 127.0.0.1:\(port): \(text); choose another port, or 0 for a free one"
            )
        }
        var assigned = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &assigned) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: assigned.sin_port))
    }

    /// Sets an integer `SOL_SOCKET` option.
    package static func setOption(_ descriptor: Int32, _ option: Int32, _ value: Int32) {
        var value = value
        setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sets `SO_SNDTIMEO`, so a peer that stops reading cannot block a write forever.
    package static func setSendTimeout(_ descriptor: Int32, milliseconds: Int) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: .init((milliseconds % 1000) * 1000))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        setOption(descriptor, SO_NOSIGPIPE, 1)
        #endif
    }

    /// Waits until the socket is readable, closed, or `milliseconds` pass. Returns false on timeout.
    package static func waitReadable(_ descriptor: Int32, milliseconds: Int) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, Int32(clamping: milliseconds))
            if ready < 0 && errno == EINTR {
                continue
            }
            return ready != 0
        }
    }

    /// Reads what is available into `buffer`; 0 means the peer closed or the read failed.
    package static func receive(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR {
                continue
            }
            return max(count, 0)
        }
    }

    /// Writes all of `bytes`; false if the peer went away or the write timed out.
    package static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + offset, $0.count - offset, sendFlags)
            }
            if written < 0 && errno == EINTR {
                continue
            }
            guard written > 0 else {
                return false
            }
            offset += written
        }
        return true
    }

    /// Accepts a connection; nil when the listener was shut down or failed.
    package static func acceptConnection(_ listener: Int32) -> Int32? {
        while true {
            let descriptor = accept(listener, nil, nil)
            if descriptor >= 0 {
                return descriptor
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                usleep(10_000)
                continue
            default: return nil
            }
        }
    }

    /// Wakes any thread blocked on the socket, then leaves closing to its owner.
    package static func shutdownBoth(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
