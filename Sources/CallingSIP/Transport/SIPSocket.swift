#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CallingTransport
import Foundation

/// A socket connected to one registrar, over UDP or TCP, and the thread that reads it.
///
/// A UDP socket is connected too, so the kernel reports a registrar that is not listening
/// (ICMP port unreachable) as `ECONNREFUSED` instead of leaving every request to time out.
/// The reading thread owns the descriptor's end: ``close()`` only asks it to stop, so a
/// descriptor number is never closed while another thread may still use it.
final class SIPSocket: Sendable {
    /// Why the socket could not be opened, or a message not sent or read.
    struct Failure: Error, Sendable, CustomStringConvertible {
        let description: String

        /// The failure of the call just made, from `errno`.
        static func system(_ call: String) -> Failure {
            Failure(description: "\(call): \(String(cString: strerror(errno)))")
        }
    }

    /// What the reading thread reports.
    enum Report: Sendable {
        /// A message arrived.
        case message(SIPMessage)
        /// Requests in flight cannot be answered: the registrar refused a datagram, or the
        /// connection ended (`final`: the socket is done; open another).
        case failure(Failure, final: Bool)
    }

    let transport: SIPTransport
    /// The local address as the registrar sees it on loopback and as Via and Contact name it.
    let localHost: String
    let localPort: UInt16
    private let descriptor: Locked<Int32?>
    private let stopping = Locked(false)
    private let reading = Locked(false)

    /// A connected descriptor for `host:port` (blocking: call it off the cooperative pool, since
    /// a TCP connect can wait for the network). Only the number crosses threads; the socket
    /// object is made where it is used (``init(descriptor:transport:)``).
    static func connect(host: String, port: UInt16, transport: SIPTransport) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Darwin)
        hints.ai_socktype = transport == .udp ? SOCK_DGRAM : SOCK_STREAM
        #else
        hints.ai_socktype = Int32(transport == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { throw .system("socket") }
        guard connectSocket(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let failure = Failure.system("connect to \(host):\(port)")
            closeDescriptor(descriptor)
            throw failure
        }
        // Every line of the registrar shares this socket, and a registrar's answers to many lines
        // can arrive at once: room for a burst (capped by the system's limit).
        var buffer: Int32 = 1 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return descriptor
    }

    /// Takes ownership of a connected descriptor from ``connect(host:port:transport:)``.
    init(descriptor: Int32, transport: SIPTransport) {
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &local.sin_addr, &text, socklen_t(text.count))
        self.transport = transport
        self.localHost = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.localPort = UInt16(bigEndian: local.sin_port)
        self.descriptor = Locked(descriptor)
    }

    deinit {
        close()
    }

    /// Sends one message (the whole of it, on a stream).
    func send(_ bytes: [UInt8]) throws(Failure) {
        let failure: Failure? = descriptor.withLock { descriptor in
            guard let descriptor else { return Failure(description: "the connection is closed") }
            var sent = 0
            while sent < bytes.count {
                let count = bytes.withUnsafeBytes { sendBytes(descriptor, $0.baseAddress! + sent, $0.count - sent) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return .system("send")
                }
                sent += count
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Starts the reading thread, which calls `report` for every message and failure; later
    /// calls do nothing.
    func startReading(_ report: @escaping @Sendable (Report) -> Void) {
        let first = reading.withLock { reading in
            defer { reading = true }
            return !reading
        }
        guard first, let descriptor = descriptor.withLock({ $0 }) else { return }
        let framing: SIPMessage.Framing = transport == .udp ? .datagram : .stream
        let owned = self.descriptor
        let stopping = self.stopping
        let thread = Thread {
            Self.read(descriptor, framing: framing, stopping: stopping, report: report)
            owned.withLock { descriptor in
                if let open = descriptor { closeDescriptor(open) }
                descriptor = nil
            }
        }
        thread.name = "sip-\(transport)-\(localPort)"
        thread.start()
    }

    /// Asks the reading thread to stop; it closes the descriptor.
    func close() {
        stopping.withLock { $0 = true }
        descriptor.withLock { descriptor in
            if let descriptor { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Reads until stopped or the connection ends, polling so that a stop is seen within 200 ms.
    private static func read(_ descriptor: Int32, framing: SIPMessage.Framing, stopping: Locked<Bool>, report: @Sendable (Report) -> Void) {
        var chunk = [UInt8](repeating: 0, count: SIPMessage.maximumLength)
        var pending: [UInt8] = []
        while !stopping.withLock({ $0 }) {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 200)
            if polled == 0 || (polled < 0 && errno == EINTR) { continue }
            let count = polled < 0 ? -1 : chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                let refused = framing == .datagram && errno == ECONNREFUSED
                report(.failure(.system(refused ? "the registrar refused the datagram" : "recv"), final: !refused))
                if refused { continue }
                return
            }
            if count == 0 {
                if framing == .datagram { continue }
                if !stopping.withLock({ $0 }) {
                    report(.failure(Failure(description: "the registrar closed the connection"), final: true))
                }
                return
            }
            if framing == .datagram {
                if let parsed = try? SIPMessage.parse(Array(chunk[..<count]), framing: .datagram) {
                    report(.message(parsed.message))
                }
                continue
            }
            pending += chunk[..<count]
            do {
                while let parsed = try SIPMessage.parse(pending, framing: .stream) {
                    pending.removeFirst(parsed.length)
                    report(.message(parsed.message))
                }
            } catch {
                report(.failure(Failure(description: "the registrar sent a malformed message (\(error))"), final: true))
                return
            }
        }
    }
}

/// `close(2)`, named apart from ``SIPSocket/close()``.
private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Darwin)
    _ = Darwin.close(descriptor)
    #else
    _ = Glibc.close(descriptor)
    #endif
}

/// `connect(2)`, named apart from ``SIPSocket/connect(host:port:transport:)``.
private func connectSocket(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Darwin)
    Darwin.connect(descriptor, address, length)
    #else
    Glibc.connect(descriptor, address, length)
    #endif
}

/// `send(2)` without SIGPIPE for a connection the registrar has closed.
private func sendBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.send(descriptor, bytes, count, 0)
    #else
    Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #endif
}
