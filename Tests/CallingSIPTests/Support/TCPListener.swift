import CallingTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP listener on 127.0.0.1 for playing a registrar over TCP: accept a connection, read what
/// arrived, send bytes (each wait at most 30 s).
final class TCPListener: @unchecked Sendable {
    // @unchecked: the only stored properties are constants (the port and the descriptor), and
    // the kernel serialises what threads do with one socket.
    let port: UInt16
    private let descriptor: Int32

    init() throws {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw UDPClient.Failure(description: "listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
        Self.limitWaits(descriptor)
    }

    deinit {
        close(descriptor)
    }

    /// The next connection; throws when none comes within 30 s.
    func accept() async throws -> Connection {
        try await offPool { [descriptor] in
            let accepted = acceptConnection(descriptor)
            guard accepted >= 0 else { throw UDPClient.Failure(description: "no connection within 30 s: \(String(cString: strerror(errno)))") }
            Self.limitWaits(accepted)
            return Connection(descriptor: accepted)
        }
    }

    /// One accepted connection.
    final class Connection: @unchecked Sendable {
        // @unchecked: as the listener's, the one stored property is a constant descriptor.
        private let descriptor: Int32

        fileprivate init(descriptor: Int32) {
            self.descriptor = descriptor
        }

        deinit {
            close(descriptor)
        }

        /// What arrived next; throws when nothing does within 30 s or the peer closed.
        func next() async throws -> [UInt8] {
            try await offPool { [descriptor] in
                var buffer = [UInt8](repeating: 0, count: 65_535)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw UDPClient.Failure(description: "nothing within 30 s, or the connection closed") }
                return Array(buffer.prefix(count))
            }
        }

        func send(_ text: String) throws {
            let bytes = Array(text.utf8)
            let sent = bytes.withUnsafeBytes { sendBytes(descriptor, $0) }
            guard sent == bytes.count else { throw UDPClient.Failure(description: "send: \(String(cString: strerror(errno)))") }
        }
    }

    private static func limitWaits(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// `accept(2)`, named apart from ``TCPListener/accept()``.
private func acceptConnection(_ descriptor: Int32) -> Int32 {
    #if canImport(Darwin)
    Darwin.accept(descriptor, nil, nil)
    #else
    Glibc.accept(descriptor, nil, nil)
    #endif
}

/// `send(2)` without SIGPIPE, named apart from ``TCPListener/Connection/send(_:)``.
private func sendBytes(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    #if canImport(Darwin)
    Darwin.send(descriptor, bytes.baseAddress, bytes.count, 0)
    #else
    Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    #endif
}
