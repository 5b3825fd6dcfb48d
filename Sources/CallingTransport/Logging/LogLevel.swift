/// How much a log record matters: swift-log's seven levels, least severe first.
///
/// The package itself logs at ``trace`` and ``debug`` only, as swift.org's guidance for
/// libraries asks: what goes wrong is reported through errors and line events, not the log.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// Every request and keepalive.
    case trace
    /// Decisions: refreshes, retries, failover, rehoming, keepalive misses.
    case debug
    /// Normal but noteworthy.
    case info
    /// Unusual but not an error.
    case notice
    /// Something may need attention.
    case warning
    /// Something failed.
    case error
    /// The program cannot go on.
    case critical

    /// The level's name, for example `"debug"`.
    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// Whether `lhs` is less severe than `rhs`.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
