import CallingAuth
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// Many users' token stores in one process: refreshes spread over the margin, and a shared
/// limit on refreshes in flight.
@Suite("Token refreshes of many users", .timeLimit(.minutes(1)))
struct TokenRefreshLimitTests {
    let clock = ManualClock()

    /// A store holding a token issued now for an hour.
    func store(_ transport: InMemoryTransport, configuration: TokenStore.Configuration = .defaults) -> TokenStore {
        let oauth = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "client", clientSecret: Secret("secret"), redirectURI: URL(string: "http://127.0.0.1:1/callback")!,
                endpoints: .init(authorizeURL: URL(string: "https://auth.example.com/authorize")!, tokenURL: URL(string: "https://auth.example.com/token")!)
            ),
            transport: transport
        )
        let tokens = TokenSet(
            response: TokenResponse(accessToken: Secret("AT-0"), expiresIn: 3600, refreshToken: Secret("RT-0"), refreshTokenExpiresIn: 7_776_000),
            receivedAt: clock.date
        )
        return TokenStore(client: oauth, persistence: InMemoryTokenPersistence(tokens), configuration: configuration, now: clock.wallClock)
    }

    static let answer = HTTPResponse.json(200, #"{"access_token":"AT-1","expires_in":3600,"refresh_token":"RT-1"}"#)

    @Test("tokens issued in the same second are refreshed over the margin's first half, none before it")
    func spread() async throws {
        let transport = InMemoryTransport { _ in Self.answer }
        let stores = (0..<100).map { _ in store(transport) }
        clock.advance(by: .seconds(3600 - 61))
        var refreshedAt = Array(repeating: -1, count: stores.count)
        for second in 3539...3571 {
            for (index, store) in stores.enumerated() where refreshedAt[index] < 0 {
                if try await store.accessToken() == Secret("AT-1") {
                    refreshedAt[index] = second
                }
            }
            clock.advance(by: .seconds(1))
        }
        #expect(refreshedAt.allSatisfy { (3540...3570).contains($0) }, "\(refreshedAt)")
        #expect(Set(refreshedAt).count >= 10, "100 stores spread over 30 s use many distinct seconds: \(Set(refreshedAt).sorted())")
        #expect(transport.requests.count == 100)
    }

    @Test("1,000 users due at once: at most 16 refreshes in flight, and every user refreshed once")
    func limitHolds() async throws {
        let limit = TokenRefreshLimit()
        let gate = Gate()
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        let counts = Locked((inFlight: 0, most: 0))
        let transport = InMemoryTransport { _ in
            counts.withLock { counts in
                counts.inFlight += 1
                counts.most = max(counts.most, counts.inFlight)
            }
            arrived.yield()
            await gate.wait()
            counts.withLock { $0.inFlight -= 1 }
            return Self.answer
        }
        var configuration = TokenStore.Configuration.defaults
        configuration.refreshLimit = limit
        let stores = (0..<1_000).map { _ in store(transport, configuration: configuration) }
        clock.advance(by: .seconds(3600))

        try await withThrowingTaskGroup(of: Secret.self) { group in
            for store in stores {
                group.addTask { try await store.accessToken() }
            }
            var iterator = arrivals.makeAsyncIterator()
            for _ in 0..<16 {
                await iterator.next()
            }
            #expect(limit.inFlight == 16)
            #expect(counts.withLock(\.inFlight) == 16)
            gate.open()
            for try await token in group {
                #expect(token == Secret("AT-1"))
            }
        }
        #expect(transport.requests.count == 1_000)
        #expect(counts.withLock(\.most) == 16)
        #expect(limit.mostInFlight == 16)
        #expect(limit.inFlight == 0)
    }

    @Test("while its refresh waits for a permit, a store hands out its token that still works; the refresh lands when its turn comes")
    func waitingRefreshKeepsTheTokenInUse() async throws {
        let limit = TokenRefreshLimit(maximumInFlight: 1)
        let gate = Gate()
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        let transport = InMemoryTransport { _ in
            arrived.yield()
            await gate.wait()
            return Self.answer
        }
        var configuration = TokenStore.Configuration.defaults
        configuration.refreshLimit = limit
        configuration.refreshSpread = .zero
        let first = store(transport, configuration: configuration)
        let second = store(transport, configuration: configuration)
        clock.advance(by: .seconds(3600 - 10))
        let holding = Task { try await first.accessToken() }
        var iterator = arrivals.makeAsyncIterator()
        await iterator.next()
        #expect(limit.inFlight == 1)

        #expect(try await second.accessToken() == Secret("AT-0"))
        #expect(try await second.accessToken() == Secret("AT-0"))
        #expect(transport.requests.count == 1)

        gate.open()
        #expect(try await holding.value == Secret("AT-1"))
        await iterator.next()
        #expect(try await second.accessToken() == Secret("AT-1"))
        #expect(transport.requests.count == 2)
        #expect(limit.inFlight == 0)
    }

    @Test("the limit is held to 1…1,024")
    func bounds() {
        #expect(TokenRefreshLimit(maximumInFlight: 0).maximumInFlight == 1)
        #expect(TokenRefreshLimit(maximumInFlight: .max).maximumInFlight == 1_024)
        #expect(TokenRefreshLimit().maximumInFlight == 16)
    }
}
