/// Where a part of the package sends its log records; ``disabled`` (the default everywhere)
/// sends none.
///
/// Pass one to `CallingClient`, `MobiusRegistrar`, `SIPRegistrar` or `TokenStore` to see what
/// they do. Messages and metadata are built only when the handler wants the level.
public struct CallingLogger: Sendable {
    private let handler: (any CallingLogHandler)?
    private let source: String

    /// A logger that logs nothing and costs nothing.
    public static let disabled = CallingLogger(handler: nil, source: "")

    /// Creates a logger sending records to `handler`.
    public init(handler: any CallingLogHandler) {
        self.init(handler: handler, source: "swift-calling")
    }

    private init(handler: (any CallingLogHandler)?, source: String) {
        self.handler = handler
        self.source = source
    }

    /// The same handler, naming `source` (a module, for example `CallingMobius`) as the records'
    /// source: a registrar or transport of your own logs as itself.
    public func from(_ source: String) -> CallingLogger {
        CallingLogger(handler: handler, source: source)
    }

    /// Whether there is no handler at all: then code that would log on a hot path (a request
    /// middleware on every keepalive) can leave its logging out altogether.
    public var isDisabled: Bool {
        handler == nil
    }

    /// Whether a record at `level` would be handled.
    public func isEnabled(_ level: LogLevel) -> Bool {
        guard let handler else { return false }
        return level >= handler.minimumLevel
    }

    /// Logs at `level`, building the message and metadata only if the handler wants them.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        guard let handler, level >= handler.minimumLevel else { return }
        handler.log(LogRecord(level: level, message: message(), metadata: metadata(), source: source))
    }

    /// Logs at ``LogLevel/debug``.
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), metadata: metadata())
    }

    /// Logs at ``LogLevel/trace``.
    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.trace, message(), metadata: metadata())
    }
}
