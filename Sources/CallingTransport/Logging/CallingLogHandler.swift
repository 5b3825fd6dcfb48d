/// Receives the package's log records: the seam between the package and a logging system.
///
/// The package depends on no logging library; give a ``CallingLogger`` a handler that forwards
/// to yours (the `CallingLogging` adapter in `Integrations/` forwards to swift-log).
///
/// ```swift
/// struct PrintHandler: CallingLogHandler {
///     var minimumLevel: LogLevel { .debug }
///     func log(_ record: LogRecord) { print(record) }
/// }
/// let logger = CallingLogger(handler: PrintHandler())
/// ```
public protocol CallingLogHandler: Sendable {
    /// The least severe level wanted. Records below it are never built, so a quiet handler
    /// costs the package one comparison per would-be record.
    var minimumLevel: LogLevel { get }

    /// Handles one record. Called from any task or thread; keep it quick.
    func log(_ record: LogRecord)
}
