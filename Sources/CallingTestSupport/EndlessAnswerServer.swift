import CallingLoopback
import CallingTransport
import Foundation

/// An HTTP server on 127.0.0.1 whose every answer is a `200` with a body that does not end:
/// close-delimited and endless, or under a `Content-Length` of a gigabyte. It shows that a
/// transport refuses an oversized answer as it streams in: a client that buffered the body
/// first would wait for an end that never comes. It writes at most 16 MB a second, counts the
/// body bytes it managed to write, and stops when the client goes away (or after a gigabyte).
public final class EndlessAnswerServer: Sendable {
    /// The port it listens on.
    public let port: UInt16
    private let listener: Int32
    private let written = Locked(0)

    /// Body bytes written so far, over every connection.
    public var bodyBytesWritten: Int {
        written.withLock { $0 }
    }

    /// `http://127.0.0.1:<port>/`.
    public var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)/")!
    }

    /// Starts serving.
    ///
    /// - Parameter declaredLength: The `Content-Length` to claim, or `nil` for a body that ends
    ///   only when the connection does.
    public static func start(declaredLength: Int? = nil) throws -> EndlessAnswerServer {
        let (listener, port) = try Socket.makeListener(port: 0, backlog: 8)
        let server = EndlessAnswerServer(listener: listener, port: port)
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + (declaredLength.map { "Content-Length: \($0)\r\n" } ?? "Connection: close\r\n") + "\r\n"
        Thread { server.acceptConnections(head: Array(head.utf8)) }.start()
        return server
    }

    private init(listener: Int32, port: UInt16) {
        self.listener = listener
        self.port = port
    }

    /// Stops accepting connections.
    public func stop() {
        Socket.shutdownBoth(listener)
    }

    private func acceptConnections(head: [UInt8]) {
        while let connection = Socket.acceptConnection(listener) {
            Thread { self.answer(on: connection, head: head) }.start()
        }
        close(listener)
    }

    private func answer(on connection: Int32, head: [UInt8]) {
        defer { close(connection) }
        Socket.setSendTimeout(connection, milliseconds: 2000)
        var request = [UInt8](repeating: 0, count: 4096)
        guard Socket.waitReadable(connection, milliseconds: 5000), Socket.receive(connection, into: &request) > 0,
            Socket.sendAll(connection, head)
        else { return }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for _ in 0..<(1 << 14) {
            guard Socket.sendAll(connection, chunk) else { return }
            written.withLock { $0 += chunk.count }
            usleep(4000)
        }
    }
}
