import CallingCore
import CallingTransport

/// Failover progress kept in memory, shared by the clients a test creates to play "restarts".
public final class InMemoryFailoverProgressStore: FailoverProgressStore {
    private let saved = Locked([String: FailoverProgress]())

    /// Creates an empty store.
    public init() {}

    /// The progress saved under `key`.
    public subscript(key: String) -> FailoverProgress? {
        saved.withLock { $0[key] }
    }

    /// The saved progress for a line.
    public func load(key: String) async -> FailoverProgress? {
        self[key]
    }

    /// Saves a line's progress.
    public func save(_ progress: FailoverProgress, key: String) async {
        saved.withLock { $0[key] = progress }
    }

    /// Forgets a line's progress.
    public func clear(key: String) async {
        saved.withLock { _ = $0.removeValue(forKey: key) }
    }
}
