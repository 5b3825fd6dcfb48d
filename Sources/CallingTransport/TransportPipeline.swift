/// A transport that passes each request through middlewares, then a transport.
///
/// The first middleware is the outermost: it sees the request first and the response last.
/// `next` is a non-escaping closure, so a request through the pipeline allocates no closures.
public struct TransportPipeline: Transport {
    /// The middlewares, outermost first.
    public let middlewares: [any Middleware]
    /// The transport that finally sends each request.
    public let transport: any Transport

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - middlewares: The middlewares, outermost first.
    ///   - transport: The transport at the end of the chain.
    public init(middlewares: [any Middleware], transport: any Transport) {
        self.middlewares = middlewares
        self.transport = transport
    }

    /// Sends a request through every middleware, then the transport.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(request, fromMiddlewareAt: middlewares.startIndex)
    }

    private func send(_ request: HTTPRequest, fromMiddlewareAt index: Int) async throws -> HTTPResponse {
        guard index < middlewares.endIndex else {
            return try await transport.send(request)
        }
        return try await middlewares[index].intercept(request) { next in
            try await send(next, fromMiddlewareAt: index + 1)
        }
    }
}
