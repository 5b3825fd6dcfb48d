import CallingTransport
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1, for the emulator, tests and `calling login`'s redirect.
///
/// It serves one handler, the same function shape as ``InMemoryTransport``'s, so whatever answers
/// in memory also answers over a real socket. Connections are kept alive; bodies must carry
/// `Content-Length`. Requests beyond the size limits are answered 413 or 431, malformed ones 400,
/// and a request that does not finish in time 408, each followed by closing that connection; the
/// server keeps serving others. Each connection has a thread of its own (blocking sockets),
/// which keeps the code simple at the scale of tests and local tools.
///
/// ```swift
/// let server = try LoopbackHTTPServer.start { request in
///     HTTPResponse(status: 200, body: Data("hello".utf8))
/// }
/// defer { server.stop() }
/// // server.baseURL is http://127.0.0.1:<free port>
/// ```
public final class LoopbackHTTPServer: Sendable {
    /// Answers one request. A thrown error is answered 500.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    /// Limits and the port.
    public struct Configuration: Sendable {
        /// The port to listen on; 0 picks a free one (see ``LoopbackHTTPServer/port``).
        public var port: UInt16
        /// The most bytes of request line and headers in one request.
        public var maxHeadBytes: Int
        /// The largest request body accepted.
        public var maxBodyBytes: Int
        /// How long an open connection may wait for its next request.
        public var idleTimeout: Duration
        /// How long a request may take to arrive once its first byte has.
        public var requestTimeout: Duration
        /// The most connections open at once. Past it an idle connection is closed to make room;
        /// only when every one is being answered is a new one answered 503 and closed.
        public var maxConnections: Int

        /// Creates a configuration.
        public init(
            port: UInt16 = 0,
            maxHeadBytes: Int = 16 * 1024,
            maxBodyBytes: Int = 1024 * 1024,
            idleTimeout: Duration = .seconds(30),
            requestTimeout: Duration = .seconds(10),
            maxConnections: Int = 256
        ) {
            self.port = port
            self.maxHeadBytes = maxHeadBytes
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }

        /// A free port, 16 KiB of headers, 1 MiB bodies, 30 s idle, 10 s per request, 256 connections.
        public static var defaults: Configuration { Configuration() }
    }

    private struct State {
        var stopped = false
        var connections: Set<Int32> = []
        /// Connections with a request being answered: from its arrival until its answer is sent.
        var answering: Set<Int32> = []
    }

    /// The port the server listens on.
    public let port: UInt16
    /// The configuration the server runs with.
    public let configuration: Configuration
    private let listener: Int32
    private let handler: Handler
    private let state = Locked(State())
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// `http://127.0.0.1:<port>`: the address to point clients at.
    public var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)")!
    }

    private init(configuration: Configuration, handler: @escaping Handler) throws {
        (listener, port) = try Socket.makeListener(port: configuration.port, backlog: 128)
        self.configuration = configuration
        self.handler = handler
    }

    /// Binds 127.0.0.1 and starts serving.
    ///
    /// - Parameters:
    ///   - configuration: The port and limits.
    ///   - handler: Answers each request.
    /// - Throws: ``LoopbackServerError`` when the port cannot be bound.
    public static func start(
        configuration: Configuration = .defaults,
        handler: @escaping Handler
    ) throws -> LoopbackHTTPServer {
        let server = try LoopbackHTTPServer(configuration: configuration, handler: handler)
        Thread { [server] in
            server.acceptConnections()
            server.acceptLoopEnded.signal()
        }.start()
        return server
    }

    /// Stops accepting and shuts every open connection; new connections are refused once this
    /// returns. A handler already running finishes, but its answer is not sent. Safe to call
    /// more than once.
    public func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            guard !state.stopped else { return false }
            Socket.shutdownBoth(listener)
            state.connections.forEach(Socket.shutdownBoth)
            return true
        }
        if first {
            acceptLoopEnded.wait()
            close(listener)
        }
    }

    /// Waits (at most `limit`) until every request already being answered has had its answer
    /// sent, then stops as ``stop()`` does: a login page reaches the browser before the process
    /// that served it exits.
    public func stop(draining limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while state.withLock({ !$0.answering.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        stop()
    }

    private func acceptConnections() {
        while let connection = Socket.acceptConnection(listener) {
            let admitted = state.withLock { state -> Bool? in
                guard !state.stopped else { return nil }
                if state.connections.count >= configuration.maxConnections {
                    // At the cap, an idle connection (nothing being answered) makes room: idle
                    // connections must never lock out the one request that matters.
                    guard let idle = state.connections.first(where: { !state.answering.contains($0) }) else { return false }
                    Socket.shutdownBoth(idle)
                    state.connections.remove(idle)
                }
                state.connections.insert(connection)
                return true
            }
            switch admitted {
            case nil:
                close(connection)
                return
            case false?:
                let busy = HTTPResponse(status: 503, body: Data("too many connections\n".utf8))
                _ = Socket.sendAll(connection, HTTPResponseEncoder.encode(busy, keepAlive: false))
                close(connection)
            case true?:
                Thread { [self] in
                    serve(connection)
                    state.withLock { _ = $0.connections.remove(connection) }
                    close(connection)
                }.start()
            }
        }
    }

    private func serve(_ connection: Int32) {
        Socket.setSendTimeout(connection, milliseconds: configuration.idleTimeout.milliseconds)
        let limits = HTTPRequestParser.Limits(
            maxHeadBytes: configuration.maxHeadBytes,
            maxBodyBytes: configuration.maxBodyBytes
        )
        let clock = ContinuousClock()
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var waitingSince = clock.now
        while true {
            switch HTTPRequestParser.parse(buffer[...], limits: limits) {
            case .request(let parsed, let consumed):
                buffer.removeFirst(consumed)
                state.withLock { _ = $0.answering.insert(connection) }
                let response = respond(to: parsed)
                let keepAlive = parsed.keepAlive && !state.withLock(\.stopped)
                let bytes = HTTPResponseEncoder.encode(
                    response, keepAlive: keepAlive, includeBody: parsed.method != "HEAD"
                )
                let sent = Socket.sendAll(connection, bytes)
                state.withLock { _ = $0.answering.remove(connection) }
                guard sent, keepAlive else {
                    return
                }
                waitingSince = clock.now
            case .failure(let failure):
                refuse(connection, status: failure.status, reason: failure.reason)
                return
            case .incomplete:
                let limit = buffer.isEmpty ? configuration.idleTimeout : configuration.requestTimeout
                let remaining = (waitingSince + limit) - clock.now
                guard remaining > .zero, Socket.waitReadable(connection, milliseconds: remaining.milliseconds) else {
                    if !buffer.isEmpty {
                        refuse(connection, status: 408, reason: "the request did not arrive in time")
                    }
                    return
                }
                let count = Socket.receive(connection, into: &chunk)
                guard count > 0 else {
                    return
                }
                if buffer.isEmpty {
                    waitingSince = clock.now
                }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }

    private func refuse(_ connection: Int32, status: Int, reason: String) {
        let response = HTTPResponse(
            status: status, headers: ["Content-Type": "text/plain"], body: Data("\(reason)\n".utf8)
        )
        _ = Socket.sendAll(connection, HTTPResponseEncoder.encode(response, keepAlive: false))
    }

    /// Runs the async handler from this connection's thread and waits for its answer.
    private func respond(to parsed: ParsedRequest) -> HTTPResponse {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(parsed.target)") else {
            return HTTPResponse(status: 400, body: Data("malformed request target\n".utf8))
        }
        let request = HTTPRequest(
            method: HTTPMethod(rawValue: parsed.method),
            url: url,
            headers: parsed.headers,
            body: parsed.body.isEmpty ? nil : Data(parsed.body)
        )
        let answer = Answer()
        let handler = self.handler
        Task {
            do {
                answer.deliver(try await handler(request))
            } catch {
                answer.deliver(HTTPResponse(status: 500, body: Data("internal error\n".utf8)))
            }
        }
        return answer.wait()
    }
}

/// Hands a response from the handler's task to the waiting connection thread.
private final class Answer: Sendable {
    private let response = Locked<HTTPResponse?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func deliver(_ value: HTTPResponse) {
        response.withLock { $0 = value }
        ready.signal()
    }

    func wait() -> HTTPResponse {
        ready.wait()
        return response.withLock { $0! }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a short wait is never zero.
    fileprivate var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
