/// Logs each request with its outcome: method, shown URL (no query, no user info), the
/// `trackingid` header when there is one, the status or the transport error, and the time taken.
///
/// Headers and bodies are never logged: they carry tokens, codes and verifiers. Put it inside
/// the middleware that sets `trackingid`, so that it sees the id.
public struct RequestLoggingMiddleware: Middleware {
    private let logger: CallingLogger
    private let level: LogLevel

    /// Creates the middleware.
    ///
    /// - Parameters:
    ///   - logger: Where records go.
    ///   - level: The level of every record; ``LogLevel/debug`` unless requests are routine.
    public init(logger: CallingLogger, level: LogLevel = .debug) {
        self.logger = logger
        self.level = level
    }

    /// Sends the request on and logs how it went.
    public func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        guard logger.isEnabled(level) else { return try await next(request) }
        let clock = ContinuousClock()
        let start = clock.now
        var metadata = ["method": request.method.rawValue, "url": request.shownURL]
        if let trackingID = request.headers["trackingid"] {
            metadata["trackingid"] = trackingID
        }
        do {
            let response = try await next(request)
            metadata["status"] = String(response.status)
            metadata["ms"] = Self.milliseconds(since: start, clock)
            logger.log(level, "HTTP request answered", metadata: metadata)
            return response
        } catch {
            metadata["error"] = (error as? TransportError)?.code.description ?? String(describing: type(of: error))
            metadata["ms"] = Self.milliseconds(since: start, clock)
            logger.log(level, "HTTP request failed", metadata: metadata)
            throw error
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> String {
        String(((clock.now - start).timeInterval * 10_000).rounded() / 10)
    }
}
