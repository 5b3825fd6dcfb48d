import CallingCore
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The README's custom registrar: it compiles, runs lines through a whole client, and the README
/// shows exactly this code.
@Suite("README: custom registrar", .timeLimit(.minutes(1)))
struct LabRegistrarTests {
    /// A lab PBX in memory: registrations by id, the requests in order.
    final class Lab: Sendable {
        private let state = Locked((lines: [String: String](), next: 0, requests: [String]()))

        var requests: [String] { state.withLock(\.requests) }
        var lines: [String: String] { state.withLock(\.lines) }

        func answer(_ request: HTTPRequest) -> HTTPResponse {
            let path = request.url.path
            return state.withLock { state in
                state.requests.append("\(request.method) \(path)")
                let parts = path.split(separator: "/").map(String.init)
                let id = parts.count > 1 ? parts[1] : ""
                switch (request.method, parts.count, parts.last) {
                case (.post, 1, "lines"):
                    state.next += 1
                    state.lines["lab-\(state.next)"] = String(decoding: request.body ?? Data(), as: UTF8.self)
                    return HTTPResponse(status: 200, body: Data("lab-\(state.next)".utf8))
                case (.post, 3, "keepalive"):
                    return HTTPResponse(status: state.lines[id] == nil ? 404 : 200)
                case (.delete, 2, _):
                    return HTTPResponse(status: state.lines.removeValue(forKey: id) == nil ? 404 : 200)
                default:
                    return HTTPResponse(status: 200)
                }
            }
        }
    }

    @Test("a line registers, keeps alive and deregisters through the README's registrar")
    func runsLines() async throws {
        let lab = Lab()
        let clock = ManualClock()
        let registrar = LabRegistrar(transport: InMemoryTransport { lab.answer($0) }, base: URL(string: "https://lab.example")!)
        let client = CallingClient(registrar: registrar, clock: clock)
        let runner = Task { try await client.run() }
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        #expect(await events.next() == .connecting)
        guard case .registered(let info) = await events.next() else {
            Issue.record("expected registered")
            return
        }
        #expect(info.deviceID == "lab-1")
        #expect(info.details == nil)
        #expect(lab.lines == ["lab-1": line.device.deviceURL])
        await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        await line.deregister()
        #expect(await events.next() == .unregistered(nil))
        client.beginGracefulShutdown()
        try await runner.value
        #expect(lab.requests.first == "POST /lines")
        #expect(lab.requests.last == "DELETE /lines/lab-1")
        #expect(lab.lines.isEmpty)
    }

    @Test("the README and the DocC article show this registrar, character for character", arguments: [
        "README.md", "Sources/CallingCore/CallingCore.docc/WritingARegistrar.md",
    ])
    func documentationMatches(page: String) throws {
        let here = URL(fileURLWithPath: #filePath)
        let source = try String(contentsOf: here.deletingLastPathComponent().appending(path: "LabRegistrar.swift"), encoding: .utf8)
        let text = try String(
            contentsOf: here.deletingLastPathComponent().appending(path: "../../../\(page)").standardized, encoding: .utf8
        )
        let example = try #require(source.components(separatedBy: "// README: custom registrar\n").last?
            .components(separatedBy: "// README: end").first)
        #expect(text.contains("```swift\n" + example + "```"), "\(page)'s custom registrar differs from LabRegistrar.swift")
    }
}
