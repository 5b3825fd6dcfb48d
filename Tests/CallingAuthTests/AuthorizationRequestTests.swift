import CallingAuth
import CallingTransport
import Foundation
import Testing

@Suite("Authorization request and redirect")
struct AuthorizationRequestTests {
    let configuration = OAuthConfiguration(
        clientID: "C123 client",
        clientSecret: Secret("s3cr3t"),
        redirectURI: URL(string: "http://127.0.0.1:8765/callback")!
    )

    var client: OAuthClient {
        OAuthClient(configuration: configuration, transport: InMemoryTransport { _ in HTTPResponse(status: 500) })
    }

    func query(_ url: URL) -> [String: String] {
        let text = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? ""
        return Dictionary(FormEncoding.decode(text), uniquingKeysWith: { first, _ in first })
    }

    func redirect(_ query: String, path: String = "/callback") -> URL {
        URL(string: "http://127.0.0.1:8765\(path)?\(query)")!
    }

    @Test("the authorize URL carries every parameter, PKCE S256 included")
    func authorizeURL() throws {
        let request = client.makeAuthorizationRequest()
        #expect(request.url.absoluteString.hasPrefix("https://webexapis.com/v1/authorize?"))
        let fields = query(request.url)
        #expect(fields["response_type"] == "code")
        #expect(fields["client_id"] == "C123 client")
        #expect(fields["redirect_uri"] == "http://127.0.0.1:8765/callback")
        #expect(fields["scope"] == "spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi")
        #expect(fields["state"] == request.state)
        #expect(request.state.count >= 22)
        #expect(fields["code_challenge_method"] == "S256")
        #expect(fields["code_challenge"]?.count == 43)
        #expect(fields["code_verifier"] == nil)
        #expect(fields.count == 7)
    }

    @Test("each request has its own state and challenge")
    func fresh() {
        let first = client.makeAuthorizationRequest()
        let second = client.makeAuthorizationRequest()
        #expect(first.state != second.state)
        #expect(query(first.url)["code_challenge"] != query(second.url)["code_challenge"])
    }

    @Test("a query already on the authorize URL is kept")
    func existingQuery() {
        var configuration = configuration
        configuration.endpoints.authorizeURL = URL(string: "http://127.0.0.1:9/v1/authorize?tenant=t1")!
        let request = OAuthClient(configuration: configuration, transport: InMemoryTransport { _ in HTTPResponse(status: 500) })
            .makeAuthorizationRequest()
        #expect(request.url.absoluteString.hasPrefix("http://127.0.0.1:9/v1/authorize?tenant=t1&response_type=code&"))
    }

    @Test("a redirect with the right state yields the code")
    func success() throws {
        let request = client.makeAuthorizationRequest()
        let code = try request.authorizationCode(fromRedirect: redirect("code=abc%2B1&state=\(request.state)"))
        #expect(code.value == "abc+1")
    }

    @Test("a wrong or missing state is refused before anything else")
    func stateMismatch() {
        let request = client.makeAuthorizationRequest()
        for query in ["code=abc&state=forged", "code=abc", "error=access_denied&state=forged", "error=access_denied", "error=x&error_description=%3Cscript%3E"] {
            let error = #expect(throws: OAuthError.self) { try request.authorizationCode(fromRedirect: redirect(query)) }
            #expect(error?.code == .stateMismatch, "\(query)")
        }
    }

    @Test("an error redirect reports the server's error and description")
    func errorRedirect() {
        let request = client.makeAuthorizationRequest()
        let error = #expect(throws: OAuthError.self) {
            try request.authorizationCode(
                fromRedirect: redirect("error=access_denied&error_description=The+user+said+no&state=\(request.state)")
            )
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.oauthError == "access_denied")
        #expect(error?.message.contains("The user said no") == true)

        let unknown = #expect(throws: OAuthError.self) {
            try request.authorizationCode(fromRedirect: redirect("error=temporarily_unavailable&state=\(request.state)"))
        }
        #expect(unknown?.code == .otherServerError)
        #expect(unknown?.oauthError == "temporarily_unavailable")
    }

    @Test("a redirect without a code is refused")
    func missingCode() {
        let request = client.makeAuthorizationRequest()
        for query in ["state=\(request.state)", "code=&state=\(request.state)"] {
            let error = #expect(throws: OAuthError.self) { try request.authorizationCode(fromRedirect: redirect(query)) }
            #expect(error?.code == .missingCode)
        }
    }

    @Test("a redirect to another path is refused")
    func otherPath() {
        let request = client.makeAuthorizationRequest()
        let error = #expect(throws: OAuthError.self) {
            try request.authorizationCode(fromRedirect: redirect("code=abc&state=\(request.state)", path: "/favicon.ico"))
        }
        #expect(error?.code == .redirectMismatch)
    }

    @Test("the request's description shows neither state nor verifier")
    func description() {
        let request = client.makeAuthorizationRequest()
        let challenge = query(request.url)["code_challenge"] ?? "?"
        #expect(!"\(request)".contains(request.state))
        #expect(!"\(request)".contains(challenge))
    }
}
