/// One thing the package logged.
///
/// Metadata values are plain text the package chose to show: host names, paths, tracking ids,
/// statuses, error codes. Tokens, codes, verifiers and passwords are never among them.
public struct LogRecord: Sendable, CustomStringConvertible {
    /// How much it matters.
    public var level: LogLevel
    /// What happened, in a few words that stay the same from one record to the next.
    public var message: String
    /// The particulars, for example `["trackingid": "swift-calling_…_7", "status": "200"]`.
    public var metadata: [String: String]
    /// The part of the package that logged it, for example `"CallingMobius"`.
    public var source: String

    /// Creates a record.
    public init(level: LogLevel, message: String, metadata: [String: String] = [:], source: String) {
        self.level = level
        self.message = message
        self.metadata = metadata
        self.source = source
    }

    /// The level, source, message and metadata sorted by key, on one line.
    public var description: String {
        let details = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return ([level.description, "[\(source)]", message] + details).joined(separator: " ")
    }
}
