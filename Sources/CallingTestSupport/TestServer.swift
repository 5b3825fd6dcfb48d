import CallingLoopback
import CallingTransport
import Foundation

/// Where a test's server runs: in memory, or over real loopback HTTP through URLSession.
///
/// Tests that take this as an argument run the same body both ways, so the in-memory results
/// are known to hold on the wire.
public enum TestServer: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The handler behind an ``InMemoryTransport``.
    case inMemory
    /// The handler behind a ``LoopbackHTTPServer``, reached with a ``URLSessionTransport``.
    case loopback

    /// Serves `handler` for the duration of `body`.
    ///
    /// - Parameters:
    ///   - handler: Plays the server.
    ///   - body: Gets a transport to the server and the server's base URL.
    public func serve<Result>(
        _ handler: @escaping InMemoryTransport.Handler,
        _ body: (_ transport: any Transport, _ baseURL: URL) async throws -> Result
    ) async throws -> Result {
        switch self {
        case .inMemory:
            return try await body(InMemoryTransport(handler: handler), URL(string: "http://127.0.0.1:8080")!)
        case .loopback:
            let server = try LoopbackHTTPServer.start(handler: handler)
            defer { server.stop() }
            let transport = URLSessionTransport(configuration: .init(timeout: .seconds(10)))
            return try await body(transport, server.baseURL)
        }
    }

    /// `inMemory` or `loopback`.
    public var description: String { rawValue }
}
