import CallingTransport
import Foundation
import Testing

/// Hands out `token-1`, and `token-2`, `token-3`, … on each refresh; records what it was asked.
final class CountingProvider: AccessTokenProvider {
    struct Failure: Error {}
    private let state = Locked((current: 1, rejected: [String](), failRefresh: false))

    init(failRefresh: Bool = false) {
        state.withLock { $0.failRefresh = failRefresh }
    }

    var rejected: [String] { state.withLock { $0.rejected } }

    func accessToken() async throws -> Secret {
        state.withLock { Secret("token-\($0.current)") }
    }

    func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret {
        try state.withLock { state in
            state.rejected.append(rejected.value)
            if state.failRefresh { throw Failure() }
            state.current += 1
            return Secret("token-\(state.current)")
        }
    }
}

@Suite("Bearer token middleware")
struct BearerTokenMiddlewareTests {
    func pipeline(_ provider: CountingProvider, statuses: [Int]) -> (TransportPipeline, InMemoryTransport) {
        let remaining = Locked(statuses)
        let transport = InMemoryTransport { _ in
            HTTPResponse(status: remaining.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] })
        }
        return (TransportPipeline(middlewares: [BearerTokenMiddleware(provider: provider)], transport: transport), transport)
    }

    let request = HTTPRequest(method: .post, url: URL(string: "https://mobius.example.com/api/v1/x")!)

    @Test("adds the provider's token")
    func addsToken() async throws {
        let provider = CountingProvider()
        let (pipeline, transport) = pipeline(provider, statuses: [200])
        #expect(try await pipeline.send(request).status == 200)
        #expect(transport.requests.map { $0.headers["Authorization"] } == ["Bearer token-1"])
        #expect(provider.rejected.isEmpty)
    }

    @Test("on 401 it refreshes once and retries once with the new token")
    func refreshesOnce() async throws {
        let provider = CountingProvider()
        let (pipeline, transport) = pipeline(provider, statuses: [401, 200])
        #expect(try await pipeline.send(request).status == 200)
        #expect(transport.requests.map { $0.headers["Authorization"] } == ["Bearer token-1", "Bearer token-2"])
        #expect(provider.rejected == ["token-1"])
    }

    @Test("each request carries the token current when it is sent, before and after a refresh")
    func currentTokenEveryRequest() async throws {
        let provider = CountingProvider()
        let (pipeline, transport) = pipeline(provider, statuses: [200, 200, 401, 200, 200])
        for _ in 0..<4 {
            #expect(try await pipeline.send(request).status == 200)
        }
        #expect(
            transport.requests.map { $0.headers["Authorization"] }
                == ["Bearer token-1", "Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"]
        )
    }

    @Test("a second 401 is returned, not retried again")
    func secondUnauthorizedIsReturned() async throws {
        let provider = CountingProvider()
        let (pipeline, transport) = pipeline(provider, statuses: [401])
        #expect(try await pipeline.send(request).status == 401)
        #expect(transport.requests.count == 2)
        #expect(provider.rejected == ["token-1"])
    }

    @Test("a failed refresh surfaces the provider's error and sends nothing more")
    func refreshFailure() async throws {
        let provider = CountingProvider(failRefresh: true)
        let (pipeline, transport) = pipeline(provider, statuses: [401])
        await #expect(throws: CountingProvider.Failure.self) { try await pipeline.send(request) }
        #expect(transport.requests.count == 1)
    }

    @Test(
        "refuses plain http to hosts other than loopback, before sending",
        arguments: ["http://example.com/x", "http://10.0.0.1/x", "http://127.example.com/x", "ftp://127.0.0.1/x"]
    )
    func refusesInsecure(url: String) async throws {
        let (pipeline, transport) = pipeline(CountingProvider(), statuses: [200])
        let error = await #expect(throws: TransportError.self) {
            try await pipeline.send(HTTPRequest(method: .get, url: URL(string: url)!))
        }
        #expect(error?.code == .insecureDestination)
        #expect(error?.description.contains("token-") == false)
        #expect(transport.requests.isEmpty)
    }

    @Test(
        "allows https anywhere and http to loopback",
        arguments: ["https://example.com/x", "http://127.0.0.1:8080/x", "http://127.1.2.3/x", "http://localhost/x", "http://[::1]:9/x"]
    )
    func allowsSecureOrLoopback(url: String) async throws {
        let (pipeline, transport) = pipeline(CountingProvider(), statuses: [200])
        #expect(try await pipeline.send(HTTPRequest(method: .get, url: URL(string: url)!)).status == 200)
        #expect(transport.requests.count == 1)
    }
}
