import CallingAuth
import CallingEmulator
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

@Suite("Emulator OAuth", .timeLimit(.minutes(1)))
struct EmulatorOAuthTests {
    let clock = ManualClock()
    let emulator: WebexEmulator
    let transport: InMemoryTransport
    let base = WebexEmulator.inMemoryBaseURL

    init() {
        emulator = WebexEmulator(now: clock.wallClock)
        transport = InMemoryTransport(handler: emulator.handler(baseURL: WebexEmulator.inMemoryBaseURL))
    }

    func client(secret: String = "emulator-secret", redirect: String = "http://127.0.0.1:49152/callback") -> OAuthClient {
        OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "swift-calling-emulator", clientSecret: Secret(secret),
                redirectURI: URL(string: redirect)!, endpoints: .emulator(baseURL: base)
            ),
            transport: transport
        )
    }

    func code(_ client: OAuthClient) async throws -> (AuthorizationRequest, Secret) {
        let request = client.makeAuthorizationRequest()
        let redirect = try await EmulatorBrowser.approve(request.url, transport: transport)
        return (request, try request.authorizationCode(fromRedirect: redirect))
    }

    @Test("authorize redirects to any loopback port with code and state; the code exchanges once, with PKCE")
    func loginFlow() async throws {
        let client = client()
        let (request, code) = try await code(client)
        let tokens = try await client.exchange(code: code, for: request)
        #expect(tokens.expiresIn == 3600)
        #expect(tokens.tokenType == "Bearer")
        #expect(tokens.scopes == OAuthConfiguration.callingScopes)
        let reused = await #expect(throws: OAuthError.self) { try await client.exchange(code: code, for: request) }
        #expect(reused?.code == .invalidGrant)
    }

    @Test("a wrong PKCE verifier, a wrong redirect_uri or an expired code is invalid_grant")
    func codeMisuse() async throws {
        let client = client()
        let (request, code) = try await code(client)
        let other = client.makeAuthorizationRequest()
        let wrongVerifier = await #expect(throws: OAuthError.self) { try await client.exchange(code: code, for: other) }
        #expect(wrongVerifier?.code == .invalidGrant)
        #expect(wrongVerifier?.message.contains("code_verifier") == true)

        let (_, second) = try await self.code(client)
        let elsewhere = self.client(redirect: "http://127.0.0.1:1/callback")
        let wrongRedirect = await #expect(throws: OAuthError.self) { try await elsewhere.exchange(code: second, for: request) }
        #expect(wrongRedirect?.code == .invalidGrant)

        let (third, late) = try await self.code(client)
        clock.advance(by: .seconds(61))
        let expired = await #expect(throws: OAuthError.self) { try await client.exchange(code: late, for: third) }
        #expect(expired?.code == .invalidGrant)
        #expect(expired?.message.contains("expired") == true)
    }

    @Test("a wrong client secret is invalid_client")
    func wrongSecret() async throws {
        let (request, code) = try await code(client())
        let error = await #expect(throws: OAuthError.self) { try await client(secret: "nope").exchange(code: code, for: request) }
        #expect(error?.code == .invalidClient)
        #expect(error?.httpStatus == 401)
    }

    @Test("token endpoint misuse gets RFC 6749 error JSON")
    func tokenMisuse() async throws {
        let url = base.appending(path: "v1/access_token")
        let cases: [(String, String, String)] = [
            ("application/json", "{}", "invalid_request"),
            ("application/x-www-form-urlencoded", "client_id=swift-calling-emulator", "invalid_request"),
            ("application/x-www-form-urlencoded", "grant_type=password&client_id=swift-calling-emulator&client_secret=emulator-secret", "unsupported_grant_type"),
            ("application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=swift-calling-emulator&client_secret=emulator-secret&refresh_token=nope", "invalid_grant"),
        ]
        for (type, body, error) in cases {
            let response = try await transport.send(HTTPRequest(method: .post, url: url, headers: ["Content-Type": type], body: Data(body.utf8)))
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: String]
            #expect(object?["error"] == error, "\(body)")
            #expect(object?["error_description"]?.isEmpty == false)
        }
    }

    @Test("authorize refuses unknown clients and unregistered redirects with a page, never a redirect")
    func authorizeRefusals() async throws {
        let good = client().makeAuthorizationRequest().url.absoluteString
        for bad in [
            good.replacingOccurrences(of: "client_id=swift-calling-emulator", with: "client_id=intruder"),
            good.replacingOccurrences(of: "callback", with: "elsewhere"),
            good.replacingOccurrences(of: "127.0.0.1%3A49152", with: "evil.example.com"),
        ] {
            let response = try await transport.send(HTTPRequest(method: .get, url: URL(string: bad)!))
            #expect(response.status == 400)
            #expect(response.headers["Location"] == nil)
        }
    }

    @Test("a plain PKCE method and a denial come back as error redirects with the state")
    func authorizeErrors() async throws {
        let plain = client().makeAuthorizationRequest()
        let plainURL = URL(string: plain.url.absoluteString.replacingOccurrences(of: "code_challenge_method=S256", with: "code_challenge_method=plain"))!
        let invalid = await #expect(throws: OAuthError.self) {
            try plain.authorizationCode(fromRedirect: try await EmulatorBrowser.approve(plainURL, transport: transport))
        }
        #expect(invalid?.code == .invalidRequest)

        var configuration = WebexEmulator.Configuration.defaults
        configuration.denyAuthorization = true
        let denying = WebexEmulator(configuration: configuration)
        let denyingTransport = InMemoryTransport(handler: denying.handler(baseURL: base))
        let request = client().makeAuthorizationRequest()
        let denied = await #expect(throws: OAuthError.self) {
            try request.authorizationCode(fromRedirect: try await EmulatorBrowser.approve(request.url, transport: denyingTransport))
        }
        #expect(denied?.code == .accessDenied)
    }

    @Test("refresh renews the refresh token; with rotation the old one stops working")
    func refreshAndRotation() async throws {
        let client = client()
        let (request, code) = try await code(client)
        let first = try await client.exchange(code: code, for: request)
        let refreshed = try await client.refresh(using: first.refreshToken!)
        #expect(refreshed.refreshToken == first.refreshToken)
        #expect(refreshed.accessToken != first.accessToken)

        var configuration = WebexEmulator.Configuration.defaults
        configuration.rotatesRefreshTokens = true
        let rotating = WebexEmulator(configuration: configuration)
        let rotatingClient = OAuthClient(configuration: client.configuration, transport: InMemoryTransport(handler: rotating.handler(baseURL: base)))
        let rotatingRequest = rotatingClient.makeAuthorizationRequest()
        let redirect = try await EmulatorBrowser.approve(rotatingRequest.url, transport: InMemoryTransport(handler: rotating.handler(baseURL: base)))
        let tokens = try await rotatingClient.exchange(code: try rotatingRequest.authorizationCode(fromRedirect: redirect), for: rotatingRequest)
        let rotated = try await rotatingClient.refresh(using: tokens.refreshToken!)
        #expect(rotated.refreshToken != tokens.refreshToken)
        await #expect(throws: OAuthError.self) { try await rotatingClient.refresh(using: tokens.refreshToken!) }
    }

    @Test("Bearer checks: a missing, unknown, expired or revoked token gets 401 with WWW-Authenticate")
    func bearerChecks() async throws {
        let client = client()
        let (request, code) = try await code(client)
        let tokens = try await client.exchange(code: code, for: request)
        let devices = base.appending(path: "wdm/api/v1/devices")
        func status(_ token: String?) async throws -> (Int, String?) {
            var headers: HTTPHeaders = [:]
            headers["Authorization"] = token.map { "Bearer \($0)" }
            let response = try await transport.send(HTTPRequest(method: .post, url: devices, headers: headers, body: Data("{}".utf8)))
            return (response.status, response.headers["WWW-Authenticate"])
        }
        #expect(try await status(tokens.accessToken.value).0 == 200)
        for token in [nil, "made-up"] {
            let (code, header) = try await status(token)
            #expect(code == 401)
            #expect(header == #"Bearer error="invalid_token""#)
        }
        clock.advance(by: .seconds(3600))
        #expect(try await status(tokens.accessToken.value).0 == 401)
        let fresh = try await client.refresh(using: tokens.refreshToken!)
        #expect(try await status(fresh.accessToken.value).0 == 200)
        await emulator.revokeAllTokens()
        #expect(try await status(fresh.accessToken.value).0 == 401)
        #expect(await emulator.requestCounts[.devices] == 6)
    }
}
