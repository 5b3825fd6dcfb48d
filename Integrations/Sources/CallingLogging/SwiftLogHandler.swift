import CallingTransport
import Logging

/// Sends swift-calling's log records to a swift-log `Logger`: levels map one to one, metadata
/// values become strings, and the record's source (`CallingMobius`, `CallingCore`, …) is the
/// swift-log source.
///
/// ```swift
/// var logger = Logger(label: "calling")
/// logger.logLevel = .debug
/// let client = CallingClient(registrar: registrar, logger: CallingLogger(logger))
/// ```
public struct SwiftLogHandler: CallingLogHandler {
    /// The logger records go to.
    public let logger: Logger

    /// Creates a handler for `logger`.
    public init(_ logger: Logger) {
        self.logger = logger
    }

    /// The logger's level: records below it are never built.
    public var minimumLevel: LogLevel {
        LogLevel(logger.logLevel)
    }

    /// Logs the record with the logger.
    public func log(_ record: LogRecord) {
        logger.log(
            level: Logger.Level(record.level), "\(record.message)", metadata: record.metadata.mapValues { .string($0) }, source: record.source
        )
    }
}

extension CallingLogger {
    /// A logger sending records to a swift-log `Logger`.
    public init(_ logger: Logger) {
        self.init(handler: SwiftLogHandler(logger))
    }
}

extension LogLevel {
    /// The level with the same name.
    public init(_ level: Logger.Level) {
        self = LogLevel.allCases.first { $0.description == level.rawValue } ?? .trace
    }
}

extension Logger.Level {
    /// The level with the same name.
    public init(_ level: LogLevel) {
        self = Logger.Level(rawValue: level.description) ?? .trace
    }
}
