import CallingLogging
import CallingTransport
import Logging
import Synchronization
import Testing

/// A swift-log handler that keeps what it receives.
final class CapturingHandler: LogHandler, Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
        let source: String
    }

    private let entries = Mutex<[Entry]>([])
    var captured: [Entry] { entries.withLock { $0 } }

    var logLevel: Logger.Level {
        get { .debug }
        set {}
    }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).mapValues { "\($0)" }
        entries.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata, source: event.source)) }
    }
}

@Suite("swift-log adapter")
struct SwiftLogHandlerTests {
    @Test("records reach the Logger with their level, message, metadata and source; the Logger's level filters before anything is built")
    func forwards() {
        let capturing = CapturingHandler()
        let logger = CallingLogger(Logger(label: "calling-tests") { _ in capturing })
        #expect(logger.isEnabled(.debug))
        #expect(!logger.isEnabled(.trace))
        nonisolated(unsafe) var built = false
        logger.trace({ built = true; return "never" }())
        #expect(!built)
        #expect(capturing.captured.isEmpty)

        logger.debug("HTTP request answered", metadata: ["status": "200", "trackingid": "swift-calling_1"])
        let entry = capturing.captured.first
        #expect(entry?.level == .debug)
        #expect(entry?.message == "HTTP request answered")
        #expect(entry?.metadata == ["status": "200", "trackingid": "swift-calling_1"])
        #expect(entry?.source == "swift-calling")
    }

    @Test("the seven levels map one to one, both ways")
    func levels() {
        for level in LogLevel.allCases {
            #expect(LogLevel(Logger.Level(level)) == level)
            #expect("\(Logger.Level(level))" == level.description)
        }
    }
}
