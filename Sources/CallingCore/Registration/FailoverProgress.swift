import Foundation

/// How far a line's failover had got, saved so that a restarted process resumes it instead of
/// hammering the primaries from the start.
public struct FailoverProgress: Sendable, Codable, Equatable {
    /// The retry attempt about to be made (1 for the first retry).
    public var attempt: Int
    /// How long the line had been failing over, in seconds, when this was saved.
    public var elapsedSeconds: Double
    /// When this was saved; the time since then counts as elapsed too.
    public var savedAt: Date
    /// Whether the line had moved on to the backup servers.
    public var onBackups: Bool

    /// Creates a progress record.
    public init(attempt: Int, elapsedSeconds: Double, savedAt: Date, onBackups: Bool) {
        self.attempt = attempt
        self.elapsedSeconds = elapsedSeconds
        self.savedAt = savedAt
        self.onBackups = onBackups
    }
}

/// Where lines keep their ``FailoverProgress``, by line key (see `LineOptions.persistenceKey`).
///
/// Saving is best effort: a store that fails should drop the record, not throw; the line then
/// starts its failover afresh after a restart, which is safe, only slower.
public protocol FailoverProgressStore: Sendable {
    /// The saved progress for a line, if any.
    func load(key: String) async -> FailoverProgress?
    /// Saves a line's progress, replacing what was there.
    func save(_ progress: FailoverProgress, key: String) async
    /// Forgets a line's progress (it registered, stopped, or was deregistered).
    func clear(key: String) async
}
