
/// A transport that hands each request to a Swift function instead of the network.
///
/// Tests give it a handler that plays the server (the package's emulator is one); benchmarks use
/// it to measure the client without sockets. It records every request it sends so tests can
/// assert exactly what went over the "wire"; pass `recordsRequests: false` where a long run would
/// make that log grow without bound.
public struct InMemoryTransport: Transport {
    /// Answers one request, as a server would.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private let handler: Handler
    private let log: RequestLog?

    /// Creates a transport that answers with `handler`.
    ///
    /// - Parameters:
    ///   - recordsRequests: Whether to keep every request for ``requests``.
    ///   - handler: The function that answers each request.
    public init(recordsRequests: Bool = true, handler: @escaping Handler) {
        self.handler = handler
        self.log = recordsRequests ? RequestLog() : nil
    }

    /// Records the request (if recording), then returns the handler's answer.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        log?.append(request)
        return try await handler(request)
    }

    /// The requests sent so far, oldest first; empty when not recording.
    public var requests: [HTTPRequest] {
        log?.all ?? []
    }
}

/// The shared, lock-protected list behind ``InMemoryTransport/requests``; copies of a transport
/// share one log.
private final class RequestLog: Sendable {
    private let storage = Locked<[HTTPRequest]>([])

    func append(_ request: HTTPRequest) {
        storage.withLock { $0.append(request) }
    }

    var all: [HTTPRequest] {
        storage.withLock { $0 }
    }
}
