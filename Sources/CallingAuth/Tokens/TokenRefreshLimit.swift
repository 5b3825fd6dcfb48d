import CallingTransport

/// Bounds how many token stores refresh at once: give the same limit to every user's
/// ``TokenStore`` in a process (a gateway keeping many users' lines registered), so tokens that
/// come due together reach the token endpoint a few at a time instead of all in one second.
///
/// ```swift
/// let refreshes = TokenRefreshLimit()
/// var configuration = TokenStore.Configuration.defaults
/// configuration.refreshLimit = refreshes
/// let stores = users.map { TokenStore(client: oauth, persistence: $0.persistence, configuration: configuration) }
/// ```
///
/// A store waiting its turn serves nothing new meanwhile: its callers wait with it, as they
/// wait for any refresh. A single store needs no limit: it never refreshes twice at once.
public final class TokenRefreshLimit: Sendable {
    /// The most refreshes in flight at once.
    public let maximumInFlight: Int
    private let permits: Permits

    /// Creates a limit.
    ///
    /// - Parameter maximumInFlight: The most refreshes at once, held to 1…1,024; 16 by default.
    public init(maximumInFlight: Int = 16) {
        self.maximumInFlight = min(max(maximumInFlight, 1), 1_024)
        self.permits = Permits(self.maximumInFlight)
    }

    /// Refreshes under way now.
    public var inFlight: Int {
        permits.held
    }

    /// The most refreshes that were under way at once so far.
    public var mostInFlight: Int {
        permits.mostHeld
    }

    /// Whether a refresh that starts now would wait for one in flight to end.
    var isFull: Bool {
        permits.held >= maximumInFlight
    }

    /// Waits for a place; throws `CancellationError` when the task is cancelled first.
    func acquire() async throws {
        guard await permits.acquire() else { throw CancellationError() }
    }

    /// Gives the place back.
    func release() {
        permits.release()
    }
}
