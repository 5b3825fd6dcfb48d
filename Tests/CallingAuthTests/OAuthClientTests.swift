import CallingAuth
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

@Suite("Token endpoint: exchange, refresh and errors", .timeLimit(.minutes(1)))
struct OAuthClientTests {
    static let trickySecret = "p+q/r;s t=u&v%"
    static let tokenJSON = """
        {"access_token":"AT-1","expires_in":1209600,"refresh_token":"RT-1",
         "refresh_token_expires_in":7776000,"token_type":"Bearer","scope":"spark:xsi spark:calls_read"}
        """

    func configuration(_ baseURL: URL) -> OAuthConfiguration {
        OAuthConfiguration(
            clientID: "client&id",
            clientSecret: Secret(Self.trickySecret),
            redirectURI: URL(string: "http://127.0.0.1:8765/callback")!,
            endpoints: .init(
                authorizeURL: baseURL.appending(path: "v1/authorize"),
                tokenURL: baseURL.appending(path: "v1/access_token")
            )
        )
    }

    func form(_ request: HTTPRequest) -> [String: String] {
        Dictionary(FormEncoding.decode(String(decoding: request.body ?? Data(), as: UTF8.self)), uniquingKeysWith: { a, _ in a })
    }

    @Test("code exchange sends the form the RFC asks for, secrets intact", arguments: TestServer.allCases)
    func exchange(server: TestServer) async throws {
        let recorder = RequestRecorder([.json(200, Self.tokenJSON)])
        try await server.serve(recorder.handler) { transport, baseURL in
            let client = OAuthClient(configuration: configuration(baseURL), transport: transport)
            let request = client.makeAuthorizationRequest()
            let tokens = try await client.exchange(code: Secret("code+/;= x"), for: request)
            #expect(tokens.accessToken == Secret("AT-1"))
            #expect(tokens.expiresIn == 1_209_600)
            #expect(tokens.refreshToken == Secret("RT-1"))
            #expect(tokens.refreshTokenExpiresIn == 7_776_000)
            #expect(tokens.tokenType == "Bearer")
            #expect(tokens.scopes == ["spark:xsi", "spark:calls_read"])

            let sent = try #require(recorder.requests.first)
            #expect(sent.method == .post)
            #expect(sent.url.path == "/v1/access_token")
            #expect(sent.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(sent.headers["Authorization"] == nil)
            let fields = form(sent)
            #expect(fields["grant_type"] == "authorization_code")
            #expect(fields["client_id"] == "client&id")
            #expect(fields["client_secret"] == Self.trickySecret)
            #expect(fields["code"] == "code+/;= x")
            #expect(fields["redirect_uri"] == "http://127.0.0.1:8765/callback")
            let verifier = try #require(fields["code_verifier"])
            let challenge = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?
                .first { $0.name == "code_challenge" }?.value
            #expect(PKCE.challenge(for: verifier) == challenge)
            #expect(fields.count == 6)
            var dumped = ""
            dump(request, to: &dumped)
            #expect(!dumped.contains(verifier))
            #expect(!"\(tokens)".contains("AT-1") && !"\(tokens)".contains("RT-1"))
        }
    }

    @Test("refresh sends the refresh grant", arguments: TestServer.allCases)
    func refresh(server: TestServer) async throws {
        let recorder = RequestRecorder([.json(200, #"{"access_token":"AT-2","expires_in":"3600"}"#)])
        try await server.serve(recorder.handler) { transport, baseURL in
            let client = OAuthClient(configuration: configuration(baseURL), transport: transport)
            let tokens = try await client.refresh(using: Secret("RT +/=;&"))
            #expect(tokens.accessToken == Secret("AT-2"))
            #expect(tokens.expiresIn == 3600)
            #expect(tokens.refreshToken == nil)
            #expect(tokens.scopes == nil)
            let fields = form(try #require(recorder.requests.first))
            #expect(fields == [
                "grant_type": "refresh_token", "client_id": "client&id",
                "client_secret": Self.trickySecret, "refresh_token": "RT +/=;&",
            ])
        }
    }

    @Test(
        "RFC 6749 error JSON maps to its code",
        arguments: [
            ("invalid_request", 400, OAuthError.Code.invalidRequest),
            ("invalid_client", 401, .invalidClient),
            ("invalid_grant", 400, .invalidGrant),
            ("unauthorized_client", 400, .unauthorizedClient),
            ("unsupported_grant_type", 400, .unsupportedGrantType),
            ("invalid_scope", 400, .invalidScope),
            ("something_new", 400, .otherServerError),
        ]
    )
    func errorJSON(error: String, status: Int, code: OAuthError.Code) async throws {
        for server in TestServer.allCases {
            let body = #"{"error":"\#(error)","error_description":"Explained here"}"#
            try await server.serve(RequestRecorder([.json(status, body)]).handler) { transport, baseURL in
                let client = OAuthClient(configuration: configuration(baseURL), transport: transport)
                let thrown = await #expect(throws: OAuthError.self) { try await client.refresh(using: Secret("RT-secret")) }
                #expect(thrown?.code == code)
                #expect(thrown?.httpStatus == status)
                #expect(thrown?.oauthError == error)
                #expect(thrown?.message.contains("Explained here") == true)
                #expect(thrown?.description.contains("RT-secret") == false)
                #expect(thrown?.description.contains(Self.trickySecret) == false)
            }
        }
    }

    @Test(
        "bodies that are not OAuth JSON give an error quoting the status, never the body",
        arguments: [
            (502, "<html><body>Bad gateway</body></html>"),
            (500, ""),
            (400, #"{"error":"#),
            (200, #"{"access_token":"AT-LEAK","expires_in":"#),
            (200, #"{"access_token":"AT-LEAK"}"#),
            (200, #"{"access_token":"AT-LEAK","expires_in":0}"#),
            (200, #"["not","an","object"]"#),
            (503, #"{"message":"busy","trackingId":"t"}"#),
        ]
    )
    func unexpectedBodies(status: Int, body: String) async throws {
        for server in TestServer.allCases {
            try await server.serve(RequestRecorder([.json(status, body)]).handler) { transport, baseURL in
                let client = OAuthClient(configuration: configuration(baseURL), transport: transport)
                let thrown = await #expect(throws: OAuthError.self) { try await client.refresh(using: Secret("RT")) }
                #expect(thrown?.code == .unexpectedResponse)
                #expect(thrown?.httpStatus == status)
                #expect(thrown?.message.contains("HTTP \(status)") == true)
                #expect(thrown?.description.contains("AT-LEAK") == false)
            }
        }
    }

    @Test("token lifetimes past a year are taken as a year: the token is refreshed early, never late (#20)")
    func heldLifetimes() async throws {
        let body = #"{"access_token":"AT-2","expires_in":1e18,"refresh_token":"RT-2","refresh_token_expires_in":"9223372036854775807"}"#
        let client = OAuthClient(configuration: configuration(URL(string: "http://127.0.0.1:8080")!), transport: InMemoryTransport { _ in .json(200, body) })
        let response = try await client.refresh(using: Secret("RT-1"))
        #expect(response.expiresIn == 31_536_000)
        #expect(response.refreshTokenExpiresIn == 31_536_000)
    }

    @Test("a server's error text reaches a message as one line, its line breaks and bidi overrides escaped, at most 512 characters (#20 case 11)")
    func serverTextIsOneLine() async throws {
        let description = "Bad grant\nlogged in; tokens saved to /tmp/t (access token valid until 2099)\u{202E}txt.exe" + String(repeating: "x", count: 600)
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["error": "invalid_grant\r\nX", "error_description": description]), as: UTF8.self)
        let client = OAuthClient(configuration: configuration(URL(string: "http://127.0.0.1:8080")!), transport: InMemoryTransport { _ in .json(400, body) })
        let thrown = await #expect(throws: OAuthError.self) { try await client.refresh(using: Secret("RT-secret")) }
        let message = try #require(thrown?.message)
        #expect(!message.contains("\n") && !message.contains("\r") && !message.contains("\u{202E}"), "\(message)")
        #expect(message.contains(#"Bad grant\u{A}logged in"#) && message.contains(#"\u{202E}txt.exe"#))
        #expect(message.count < 700)
        #expect(thrown?.oauthError == "invalid_grant\r\nX", "the raw code stays for matching")
    }

    @Test("the client secret is never sent over plain http to a remote host")
    func refusesInsecureTokenURL() async throws {
        let transport = InMemoryTransport { _ in .json(200, Self.tokenJSON) }
        let client = OAuthClient(configuration: configuration(URL(string: "http://auth.example.com")!), transport: transport)
        let thrown = await #expect(throws: TransportError.self) { try await client.refresh(using: Secret("RT")) }
        #expect(thrown?.code == .insecureDestination)
        #expect(transport.requests.isEmpty)
    }

    @Test("an unreachable token endpoint surfaces the transport error")
    func unreachable() async throws {
        let client = OAuthClient(
            configuration: configuration(URL(string: "http://127.0.0.1:1")!),
            transport: URLSessionTransport(configuration: .init(timeout: .seconds(30)))
        )
        let thrown = await #expect(throws: TransportError.self) { try await client.refresh(using: Secret("RT")) }
        #expect(thrown?.code == .connectionRefused)
    }
}
