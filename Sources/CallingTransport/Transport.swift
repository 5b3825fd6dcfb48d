/// Sends one HTTP request and returns its response: the seam between the package and the network.
///
/// The package ships two transports: ``URLSessionTransport`` for production and
/// ``InMemoryTransport`` for tests and benchmarks. Anything else (an `AsyncHTTPClient` wrapper,
/// a proxying or recording transport) is one small type away.
///
/// ## Choose between a transport and a middleware
/// A transport talks to something: a socket, a URLSession, an in-process server. A ``Middleware``
/// changes what passes by: it adds a header, retries, measures. Authentication, tracking ids and
/// logging are middlewares; combine them with a transport in a ``TransportPipeline``.
///
/// ## Implement a custom transport
/// ```swift
/// struct LoggingTransport: Transport {
///     let base: any Transport
///     func send(_ request: HTTPRequest) async throws -> HTTPResponse {
///         let response = try await base.send(request)
///         print(request, "→", response)   // both descriptions hide credentials
///         return response
///     }
/// }
/// ```
///
/// A transport reports a failure to reach the server by throwing (``TransportError`` is the
/// package's error for that) and returns every HTTP answer, error statuses included, as a response.
public protocol Transport: Sendable {
    /// Sends a request and waits for the whole response.
    ///
    /// - Throws: An error when no HTTP response arrived (connection refused, timeout, cancellation).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
