/// Intercepts requests on their way to a ``Transport``, and their responses on the way back.
///
/// A middleware may change the request, answer without calling `next`, or call `next` more than
/// once (to retry). ``BearerTokenMiddleware`` is one. Chain middlewares with a transport in a
/// ``TransportPipeline``; the first middleware in the list sees the request first.
///
/// ```swift
/// struct UserAgentMiddleware: Middleware {
///     let agent: String
///     func intercept(
///         _ request: HTTPRequest,
///         next: (HTTPRequest) async throws -> HTTPResponse
///     ) async throws -> HTTPResponse {
///         var request = request
///         request.headers["User-Agent"] = agent
///         return try await next(request)
///     }
/// }
/// ```
public protocol Middleware: Sendable {
    /// Handles one request.
    ///
    /// - Parameters:
    ///   - request: The request as the previous middleware (or the caller) passed it on.
    ///   - next: Sends a request through the rest of the pipeline. Valid only during this call.
    func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse
}
