import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP client for feeding the server bytes no HTTP library would send.
///
/// Its calls block, so each runs on a thread of its own: blocking the few threads of Swift's
/// cooperative pool would starve the server's handler tasks.
public final class RawConnection: Sendable {
    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`.
    public static func open(port: UInt16) async throws -> RawConnection {
        try await offPool { try RawConnection(port: port) }
    }

    private init(port: UInt16) throws {
        #if canImport(Darwin)
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
    }

    /// Sends bytes; false once the server has closed.
    @discardableResult
    public func send(_ bytes: [UInt8]) async -> Bool {
        await offPool { self.sendBlocking(bytes) }
    }

    /// Sends text as UTF-8; false once the server has closed.
    @discardableResult
    public func send(_ text: String) async -> Bool {
        await send(Array(text.utf8))
    }

    /// Reads until the server closes the connection (or 10 s pass).
    public func readToEnd() async -> String {
        await offPool { self.readToEndBlocking() }
    }

    /// Reads until `count` response heads have arrived.
    public func readResponses(_ count: Int) async -> String {
        await offPool { self.readResponsesBlocking(count) }
    }

    private func sendBlocking(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                #if canImport(Darwin)
                Darwin.send(descriptor, $0.baseAddress! + offset, $0.count - offset, 0)
                #else
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
                #endif
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private func readToEndBlocking() -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    private func readResponsesBlocking(_ count: Int) -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n\r\n").count - 1 < count {
            let read = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard read > 0 else { break }
            received.append(contentsOf: chunk[0..<read])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
