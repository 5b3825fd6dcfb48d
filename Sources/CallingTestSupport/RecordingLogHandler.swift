import CallingTransport

/// Keeps every log record, at every level, for tests to read.
public final class RecordingLogHandler: CallingLogHandler {
    private let recorded = Locked<[LogRecord]>([])

    /// The least severe level wanted.
    public let minimumLevel: LogLevel

    /// Creates a handler keeping records at `minimumLevel` and above.
    public init(minimumLevel: LogLevel = .trace) {
        self.minimumLevel = minimumLevel
    }

    /// A logger sending records here.
    public var logger: CallingLogger {
        CallingLogger(handler: self)
    }

    /// The records so far, oldest first.
    public var records: [LogRecord] {
        recorded.withLock { $0 }
    }

    /// The records with `message`.
    public func records(_ message: String) -> [LogRecord] {
        records.filter { $0.message == message }
    }

    /// Keeps the record.
    public func log(_ record: LogRecord) {
        recorded.withLock { $0.append(record) }
    }
}
