import CallingAuth
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

@Suite("Token store", .timeLimit(.minutes(1)))
struct TokenStoreTests {
    let clock = ManualClock()

    func tokens(access: String = "AT-0", refresh: String? = "RT-0", lifetime: Int = 3600) -> TokenSet {
        TokenSet(
            response: TokenResponse(
                accessToken: Secret(access), expiresIn: lifetime, refreshToken: refresh.map(Secret.init),
                refreshTokenExpiresIn: 7_776_000, scopes: ["spark:xsi"]
            ),
            receivedAt: clock.date
        )
    }

    func client(_ handler: @escaping InMemoryTransport.Handler) -> (OAuthClient, InMemoryTransport) {
        let transport = InMemoryTransport(handler: handler)
        let configuration = OAuthConfiguration(
            clientID: "client", clientSecret: Secret("secret"),
            redirectURI: URL(string: "http://127.0.0.1:1/callback")!,
            endpoints: .init(authorizeURL: URL(string: "https://auth.example.com/authorize")!,
                             tokenURL: URL(string: "https://auth.example.com/token")!)
        )
        return (OAuthClient(configuration: configuration, transport: transport), transport)
    }

    func refreshTokensSent(_ transport: InMemoryTransport) -> [String] {
        transport.requests.compactMap { request in
            FormEncoding.decode(String(decoding: request.body ?? Data(), as: UTF8.self)).first { $0.name == "refresh_token" }?.value
        }
    }

    static func issuing(_ responses: [(Int, String)]) -> InMemoryTransport.Handler {
        let remaining = Locked(responses)
        return { _ in
            let (status, body) = remaining.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
            return .json(status, body)
        }
    }

    /// The default margin with every refresh at its start, for tests of the margin itself.
    static let unspread = TokenStore.Configuration(refreshMargin: .seconds(60), refreshSpread: .zero)

    @Test("refreshes once the token enters the refresh margin, not before")
    func proactiveRefresh() async throws {
        let persistence = InMemoryTokenPersistence(tokens())
        let (client, transport) = client(Self.issuing([(200, #"{"access_token":"AT-1","expires_in":3600}"#)]))
        let store = TokenStore(client: client, persistence: persistence, configuration: Self.unspread, now: clock.wallClock)

        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(3600 - 61))
        #expect(try await store.accessToken() == Secret("AT-0"))
        #expect(transport.requests.isEmpty)

        clock.advance(by: .seconds(1))
        #expect(try await store.accessToken() == Secret("AT-1"))
        #expect(transport.requests.count == 1)
        #expect(persistence.stored?.accessToken == Secret("AT-1"))
        #expect(try await store.accessToken() == Secret("AT-1"))
        #expect(transport.requests.count == 1)
    }

    @Test("the margin is capped at half a short token's lifetime")
    func marginCap() async throws {
        let (client, transport) = client(Self.issuing([(200, #"{"access_token":"AT-1","expires_in":60}"#)]))
        let store = TokenStore(
            client: client, persistence: InMemoryTokenPersistence(tokens(lifetime: 60)), configuration: Self.unspread, now: clock.wallClock
        )
        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(29))
        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(1))
        #expect(try await store.accessToken() == Secret("AT-1"))
        #expect(transport.requests.count == 1)
    }

    @Test("50 concurrent callers share one refresh")
    func singleFlight() async throws {
        let entered = Gate()
        let release = Gate()
        let (client, transport) = client { _ in
            entered.open()
            await release.wait()
            return .json(200, #"{"access_token":"AT-1","expires_in":3600,"refresh_token":"RT-1"}"#)
        }
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        clock.advance(by: .seconds(3600))
        let results = try await withThrowingTaskGroup(of: Secret.self) { group in
            for _ in 0..<50 {
                group.addTask { try await store.accessToken() }
            }
            await entered.wait()
            release.open()
            return try await group.reduce(into: [Secret]()) { $0.append($1) }
        }
        #expect(results.count == 50)
        #expect(Set(results) == [Secret("AT-1")])
        #expect(transport.requests.count == 1)
    }

    @Test("50 concurrent callers share one failed refresh and its error")
    func singleFlightFailure() async throws {
        let entered = Gate()
        let release = Gate()
        let (client, transport) = client { _ in
            entered.open()
            await release.wait()
            return .json(400, #"{"error":"invalid_grant","error_description":"revoked"}"#)
        }
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        clock.advance(by: .seconds(3600))
        let codes = await withTaskGroup(of: OAuthError.Code?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do {
                        _ = try await store.accessToken()
                        return nil
                    } catch {
                        return (error as? OAuthError)?.code
                    }
                }
            }
            await entered.wait()
            release.open()
            return await group.reduce(into: [OAuthError.Code?]()) { $0.append($1) }
        }
        #expect(codes.count == 50)
        #expect(codes.allSatisfy { $0 == .loginRequired })
        #expect(transport.requests.count == 1)
    }

    @Test("after invalid_grant it reports login required, without asking again, until a new login")
    func loginRequired() async throws {
        let (client, transport) = client(Self.issuing([
            (400, #"{"error":"invalid_grant"}"#),
        ]))
        let original = tokens()
        let persistence = InMemoryTokenPersistence(original)
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        clock.advance(by: .seconds(3600))
        for _ in 0..<3 {
            let error = await #expect(throws: OAuthError.self) { try await store.accessToken() }
            #expect(error?.code == .loginRequired)
            #expect(error?.message.contains("log in again") == true)
        }
        #expect(transport.requests.count == 1)
        #expect(persistence.stored == original)

        try await store.login(with: TokenResponse(accessToken: Secret("AT-new"), expiresIn: 3600, refreshToken: Secret("RT-new")))
        #expect(try await store.accessToken() == Secret("AT-new"))
        #expect(persistence.stored?.refreshToken == Secret("RT-new"))
    }

    @Test("before refreshing it takes newer tokens another process saved, without a refresh of its own")
    func adoptsNewerSavedTokens() async throws {
        let persistence = InMemoryTokenPersistence(tokens())
        let (client, transport) = client(Self.issuing([(400, #"{"error":"invalid_grant"}"#)]))
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(3600))
        persistence.stored = tokens(access: "AT-other", refresh: "RT-other")
        #expect(try await store.accessToken() == Secret("AT-other"))
        #expect(refreshTokensSent(transport).isEmpty)
    }

    @Test("before declaring the login gone it adopts tokens another process refreshed meanwhile")
    func rereadsPersistedTokens() async throws {
        let persistence = InMemoryTokenPersistence(tokens())
        let clock = clock
        let (client, transport) = client { _ in
            persistence.stored = TokenSet(
                response: TokenResponse(accessToken: Secret("AT-other"), expiresIn: 3600, refreshToken: Secret("RT-other")), receivedAt: clock.date
            )
            return .json(400, #"{"error":"invalid_grant"}"#)
        }
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(3600))
        #expect(try await store.accessToken() == Secret("AT-other"))
        #expect(refreshTokensSent(transport) == ["RT-0"])
    }

    @Test("keeps the newest refresh token, and the old one when a refresh omits it")
    func rotation() async throws {
        let (client, transport) = client(Self.issuing([
            (200, #"{"access_token":"AT-1","expires_in":3600,"refresh_token":"RT-1"}"#),
            (200, #"{"access_token":"AT-2","expires_in":3600}"#),
            (200, #"{"access_token":"AT-3","expires_in":3600}"#),
        ]))
        let persistence = InMemoryTokenPersistence(tokens())
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        for expected in ["AT-1", "AT-2", "AT-3"] {
            #expect(try await store.refresh().accessToken == Secret(expected))
        }
        #expect(refreshTokensSent(transport) == ["RT-0", "RT-1", "RT-1"])
        #expect(persistence.stored?.refreshToken == Secret("RT-1"))
        #expect(persistence.stored?.scopes == ["spark:xsi"])
        #expect(persistence.saveCount == 3)
    }

    @Test("a transient failure keeps the tokens and serves the unexpired one")
    func transientFailure() async throws {
        let (client, transport) = client(Self.issuing([
            (503, "<html>busy</html>"),
            (500, ""),
            (200, #"{"access_token":"AT-1","expires_in":3600}"#),
        ]))
        let original = tokens()
        let persistence = InMemoryTokenPersistence(original)
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        clock.advance(by: .seconds(3590))
        #expect(try await store.accessToken() == Secret("AT-0"))
        clock.advance(by: .seconds(10))
        let error = await #expect(throws: OAuthError.self) { try await store.accessToken() }
        #expect(error?.code == .unexpectedResponse)
        #expect(persistence.stored == original)
        #expect(try await store.accessToken() == Secret("AT-1"))
        #expect(transport.requests.count == 3)
    }

    @Test("an unreachable token endpoint is transient too")
    func unreachable() async throws {
        let (client, _) = client { request in
            throw TransportError(code: .connectionRefused, host: request.url.host ?? "", message: "down")
        }
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        clock.advance(by: .seconds(3600))
        await #expect(throws: TransportError.self) { try await store.accessToken() }
        await #expect(throws: TransportError.self) { try await store.accessToken() }
    }

    @Test("new tokens are saved before they are handed out")
    func savedBeforeHandedOut() async throws {
        let (client, transport) = client(Self.issuing([(200, #"{"access_token":"AT-1","expires_in":3600,"refresh_token":"RT-1"}"#)]))
        let original = tokens()
        let persistence = InMemoryTokenPersistence(original)
        let store = TokenStore(client: client, persistence: persistence, now: clock.wallClock)
        clock.advance(by: .seconds(3600))
        persistence.failNextSaves(2)
        await #expect(throws: InMemoryTokenPersistence.SaveFailure.self) { try await store.accessToken() }
        await #expect(throws: InMemoryTokenPersistence.SaveFailure.self) { try await store.accessToken() }
        #expect(persistence.stored == original)
        #expect(try await store.accessToken() == Secret("AT-1"))
        #expect(persistence.stored?.refreshToken == Secret("RT-1"))
        #expect(transport.requests.count == 1)
    }

    @Test("a rejected token is replaced once; a stale rejection gets the current token")
    func replacingRejected() async throws {
        let (client, transport) = client(Self.issuing([(200, #"{"access_token":"AT-1","expires_in":3600}"#)]))
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        #expect(try await store.refreshedAccessToken(replacing: Secret("AT-0")) == Secret("AT-1"))
        #expect(try await store.refreshedAccessToken(replacing: Secret("AT-0")) == Secret("AT-1"))
        #expect(transport.requests.count == 1)
    }

    @Test("a token outside the margin is served to every caller; once its refresh is refused, none is")
    func servedUntilRefused() async throws {
        let (client, transport) = client(Self.issuing([(400, #"{"error":"invalid_grant"}"#)]))
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        for _ in 0..<3 {
            #expect(try await store.accessToken() == Secret("AT-0"))
        }
        #expect(transport.requests.isEmpty)
        await #expect(throws: OAuthError.self) { try await store.refreshedAccessToken(replacing: Secret("AT-0")) }
        let error = await #expect(throws: OAuthError.self) { try await store.accessToken() }
        #expect(error?.code == .loginRequired)
        #expect(transport.requests.count == 1)
    }

    @Test("with no tokens it reports login required without a request")
    func noTokens() async throws {
        let (client, transport) = client(Self.issuing([(200, "{}")]))
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(), now: clock.wallClock)
        let error = await #expect(throws: OAuthError.self) { try await store.accessToken() }
        #expect(error?.code == .loginRequired)
        #expect(try await store.currentTokens() == nil)
        #expect(transport.requests.isEmpty)
    }

    @Test("an expired refresh token means login required, without a request")
    func expiredRefreshToken() async throws {
        let (client, transport) = client(Self.issuing([(200, "{}")]))
        let store = TokenStore(client: client, persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock)
        clock.advance(by: .seconds(7_776_000))
        let error = await #expect(throws: OAuthError.self) { try await store.accessToken() }
        #expect(error?.code == .loginRequired)
        #expect(transport.requests.isEmpty)
    }

    @Test("a 401 through the bearer middleware refreshes through the store and retries", arguments: TestServer.allCases)
    func bearerIntegration(server: TestServer) async throws {
        let issued = Locked(0)
        let handler: InMemoryTransport.Handler = { request in
            if request.url.path == "/token" {
                let number = issued.withLock { $0 += 1; return $0 }
                return .json(200, #"{"access_token":"AT-\#(number)","expires_in":3600}"#)
            }
            return request.headers["Authorization"] == "Bearer AT-1" ? HTTPResponse(status: 200) : HTTPResponse(status: 401)
        }
        try await server.serve(handler) { transport, baseURL in
            let configuration = OAuthConfiguration(
                clientID: "client", clientSecret: Secret("secret"), redirectURI: baseURL.appending(path: "callback"),
                endpoints: .init(authorizeURL: baseURL.appending(path: "authorize"), tokenURL: baseURL.appending(path: "token"))
            )
            let store = TokenStore(
                client: OAuthClient(configuration: configuration, transport: transport),
                persistence: InMemoryTokenPersistence(tokens()), now: clock.wallClock
            )
            let api = TransportPipeline(middlewares: [BearerTokenMiddleware(provider: store)], transport: transport)
            let response = try await api.send(HTTPRequest(method: .get, url: baseURL.appending(path: "resource")))
            #expect(response.status == 200)
            #expect(issued.withLock { $0 } == 1)
        }
    }
}
