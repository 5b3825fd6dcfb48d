import CallingCore
import ServiceLifecycle

/// A `CallingClient` as a ServiceLifecycle `Service`: runs the client's keepalives, and on
/// graceful shutdown (SIGTERM, or another service ending) deregisters every line before
/// `run()` returns. Cancellation stops at once without deregistering, as the client does.
///
/// ```swift
/// let client = CallingClient(registrar: registrar)
/// let group = ServiceGroup(
///     services: [CallingClientService(client), appService],
///     gracefulShutdownSignals: [.sigterm], logger: logger
/// )
/// try await group.run()
/// ```
///
/// Add lines from another service (or before the group runs): the client is shared.
public struct CallingClientService: Service {
    /// The client this service runs.
    public let client: CallingClient

    /// Creates the service for `client`; run a client in one service only.
    public init(_ client: CallingClient) {
        self.client = client
    }

    /// Runs the client until graceful shutdown has deregistered its lines, or until cancelled.
    ///
    /// - Throws: `CallingError` when the client has already run.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await client.run()
        } onGracefulShutdown: {
            client.beginGracefulShutdown()
        }
    }
}
