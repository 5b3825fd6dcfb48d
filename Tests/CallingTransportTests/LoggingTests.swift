import CallingTestSupport
import CallingTransport
import Foundation
import Testing

@Suite("The log hook")
struct LoggingTests {
    @Test("a disabled logger, or a level below the handler's, never builds the message or metadata")
    func quietLoggersBuildNothing() {
        let built = Locked(0)
        func message() -> String {
            built.withLock { $0 += 1 }
            return "built"
        }
        CallingLogger.disabled.debug(message(), metadata: ["count": message()])
        let handler = RecordingLogHandler(minimumLevel: .debug)
        handler.logger.trace(message())
        #expect(built.withLock { $0 } == 0)
        #expect(handler.records.isEmpty)
        handler.logger.debug(message(), metadata: ["count": message()])
        #expect(built.withLock { $0 } == 2)
        #expect(handler.records.map(\.message) == ["built"])
        #expect(!CallingLogger.disabled.isEnabled(.critical))
        #expect(handler.logger.isEnabled(.debug) && !handler.logger.isEnabled(.trace))
    }

    @Test("levels are ordered as swift-log's, and a record reads as one line with sorted metadata")
    func levelsAndDescription() {
        #expect(LogLevel.allCases.map(\.description) == ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        #expect(LogLevel.allCases == LogLevel.allCases.sorted())
        let record = LogRecord(level: .debug, message: "HTTP request answered", metadata: ["status": "200", "method": "GET"], source: "CallingMobius")
        #expect(record.description == "debug [CallingMobius] HTTP request answered method=GET status=200")
    }

    @Test("each request is logged with its method, shown URL, tracking id, status and time; never headers, query or body")
    func requestsAreLoggedWithoutSecrets() async throws {
        let handler = RecordingLogHandler()
        let recorder = RequestRecorder([HTTPResponse(status: 201, body: Data("{\"access_token\":\"token-in-body\"}".utf8))])
        let pipeline = TransportPipeline(
            middlewares: [RequestLoggingMiddleware(logger: handler.logger)], transport: InMemoryTransport(handler: recorder.handler)
        )
        var request = HTTPRequest(
            method: .post, url: URL(string: "https://user:password-in-url@mobius.example.com/api/v1/calling/web/devices?code=code-in-query")!,
            headers: ["Authorization": "Bearer header-token", "trackingid": "swift-calling_1"], body: Data("refresh_token=body-secret".utf8)
        )
        _ = try await pipeline.send(request)
        request.headers["trackingid"] = nil
        let failing = TransportPipeline(
            middlewares: [RequestLoggingMiddleware(logger: handler.logger, level: .trace)],
            transport: InMemoryTransport { _ in throw TransportError(code: .connectionRefused, host: "mobius.example.com", message: "refused") }
        )
        await #expect(throws: TransportError.self) { try await failing.send(request) }

        let records = handler.records
        #expect(records.map(\.message) == ["HTTP request answered", "HTTP request failed"])
        #expect(records.map(\.level) == [.debug, .trace])
        #expect(records[0].metadata["method"] == "POST")
        #expect(records[0].metadata["url"] == "https://mobius.example.com/api/v1/calling/web/devices")
        #expect(records[0].metadata["trackingid"] == "swift-calling_1")
        #expect(records[0].metadata["status"] == "201")
        #expect(records[0].metadata["ms"].flatMap(Double.init) != nil)
        #expect(records[1].metadata["error"] == "connection refused")
        #expect(records[1].metadata["trackingid"] == nil)
        for secret in ["password-in-url", "code-in-query", "header-token", "body-secret", "token-in-body"] {
            #expect(!records.contains { $0.description.contains(secret) }, "\(secret) was logged")
        }
        #expect(!request.description.contains("password-in-url"))
    }
}
