import CallingTransport
import Foundation
import Testing

/// Appends its name to `X-Trail` on the way in and to the response's `X-Trail` on the way out.
private struct TrailMiddleware: Middleware {
    let name: String

    func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var request = request
        request.headers["X-Trail"] = (request.headers["X-Trail"].map { $0 + "," } ?? "") + name
        var response = try await next(request)
        response.headers["X-Trail"] = (response.headers["X-Trail"].map { $0 + "," } ?? "") + name
        return response
    }
}

/// Answers without calling the rest of the chain.
private struct ShortCircuit: Middleware {
    func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        HTTPResponse(status: 418)
    }
}

@Suite("Transport pipeline")
struct TransportPipelineTests {
    let request = HTTPRequest(method: .get, url: URL(string: "https://example.com/x")!)

    @Test("the first middleware is the outermost")
    func order() async throws {
        let transport = InMemoryTransport { request in
            HTTPResponse(status: 200, headers: ["X-Trail": "server saw " + (request.headers["X-Trail"] ?? "")])
        }
        let pipeline = TransportPipeline(
            middlewares: [TrailMiddleware(name: "outer"), TrailMiddleware(name: "inner")],
            transport: transport
        )
        let response = try await pipeline.send(request)
        #expect(response.headers["X-Trail"] == "server saw outer,inner,inner,outer")
        #expect(transport.requests.count == 1)
    }

    @Test("a middleware can answer without reaching the transport")
    func shortCircuit() async throws {
        let transport = InMemoryTransport { _ in HTTPResponse(status: 200) }
        let pipeline = TransportPipeline(middlewares: [ShortCircuit()], transport: transport)
        #expect(try await pipeline.send(request).status == 418)
        #expect(transport.requests.isEmpty)
    }

    @Test("with no middlewares the request goes straight to the transport")
    func empty() async throws {
        let transport = InMemoryTransport { _ in HTTPResponse(status: 204) }
        #expect(try await TransportPipeline(middlewares: [], transport: transport).send(request).status == 204)
        #expect(transport.requests.map(\.url) == [request.url])
    }

    @Test("an in-memory transport that does not record keeps no requests")
    func notRecording() async throws {
        let transport = InMemoryTransport(recordsRequests: false) { _ in HTTPResponse(status: 200) }
        _ = try await transport.send(request)
        #expect(transport.requests.isEmpty)
    }
}
