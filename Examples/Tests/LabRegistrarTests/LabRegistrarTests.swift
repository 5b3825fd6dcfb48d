import CallingCore
import CallingTesting
import CallingTransport
import Foundation
import Synchronization
import Testing

@testable import LabRegistrar

/// The README's custom registrar, built as a third party builds one (swift-calling's public products only):
/// it runs lines through a whole client and passes the registrar conformance suite.
@Suite("Lab registrar", .timeLimit(.minutes(1)))
struct LabRegistrarTests {
    /// A lab PBX in memory: registrations by id, the requests in order, and the switches the
    /// conformance suite turns.
    final class Lab: ConformanceServer {
        private struct State {
            var lines: [String: String] = [:]
            var next = 0
            var requests: [String] = []
            var retryAfter: Duration?
            var down = false
            var silent = false
        }

        private let state = Mutex(State())

        var requests: [String] { state.withLock(\.requests) }
        var lines: [String: String] { state.withLock(\.lines) }

        /// The transport to this lab.
        var transport: InMemoryTransport {
            InMemoryTransport { [self] request in try await answer(request) }
        }

        func answer(_ request: HTTPRequest) async throws -> HTTPResponse {
            let path = request.url.path
            let (down, silent) = state.withLock { ($0.down, $0.silent && request.method == .post && path == "/lines") }
            if down {
                throw TransportError(code: .connectionRefused, host: "lab.example", message: "the lab is down")
            }
            if silent {
                try await Task.sleep(for: .seconds(3600))
            }
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
                    if let retryAfter = state.retryAfter {
                        return HTTPResponse(status: 429, headers: ["Retry-After": String(retryAfter.components.seconds)])
                    }
                    return HTTPResponse(status: state.lines[id] == nil ? 404 : 200)
                case (.delete, 2, _):
                    return HTTPResponse(status: state.lines.removeValue(forKey: id) == nil ? 404 : 200)
                default:
                    return HTTPResponse(status: 200)
                }
            }
        }

        func holds(_ device: RegisteredDevice) async throws -> Bool {
            state.withLock { $0.lines[device.deviceID] != nil }
        }

        func forgetRegistrations() async throws {
            state.withLock { $0.lines = [:] }
        }

        func setSlowingDown(retryAfter: Duration?) async throws {
            state.withLock { $0.retryAfter = retryAfter }
        }

        func setDown(_ down: Bool, _ server: RegistrarServer) async throws {
            state.withLock { $0.down = down }
        }

        func setSilent(_ silent: Bool) async throws {
            state.withLock { $0.silent = silent }
        }
    }

    let base = URL(string: "https://lab.example")!

    @Test("a line registers, keeps alive and deregisters through the README's registrar")
    func runsLines() async throws {
        let lab = Lab()
        let clock = ManualClock()
        let client = CallingClient(registrar: LabRegistrar(transport: lab.transport, base: base), clock: clock)
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

    @Test("the lab registrar passes the registrar conformance suite")
    func conforms() async throws {
        let lab = Lab()
        let passed = try await RegistrarConformance(registrar: LabRegistrar(transport: lab.transport, base: base), server: lab).run()
        #expect(passed == RegistrarConformance.checks)
    }
}
