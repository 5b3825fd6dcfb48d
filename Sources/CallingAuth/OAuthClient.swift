import CallingTransport
import Foundation

/// The OAuth 2.0 authorization-code flow with PKCE, over any `Transport`.
///
/// ```swift
/// let client = OAuthClient(configuration: configuration, transport: URLSessionTransport())
/// let request = client.makeAuthorizationRequest()
/// // send the user to request.url; receive the redirect at configuration.redirectURI
/// let code = try request.authorizationCode(fromRedirect: redirectURL)
/// let tokens = try await client.exchange(code: code, for: request)
/// ```
/// Hand the result to a ``TokenStore``, which refreshes and persists from then on.
public struct OAuthClient: Sendable {
    /// The settings and transport, in one object that every copy shares: each of a gateway's
    /// many token stores holds the client, and 160 bytes of settings apiece add up.
    private final class Parts: Sendable {
        let configuration: OAuthConfiguration
        let transport: any Transport

        init(configuration: OAuthConfiguration, transport: any Transport) {
            self.configuration = configuration
            self.transport = transport
        }
    }

    private let parts: Parts

    /// The client's settings.
    public var configuration: OAuthConfiguration { parts.configuration }
    private var transport: any Transport { parts.transport }

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: Client id, secret, redirect URI, scopes and endpoints.
    ///   - transport: How requests reach the token endpoint.
    public init(configuration: OAuthConfiguration, transport: any Transport) {
        self.parts = Parts(configuration: configuration, transport: transport)
    }

    /// A new login attempt with a fresh `state` and PKCE verifier.
    public func makeAuthorizationRequest() -> AuthorizationRequest {
        AuthorizationRequest(configuration: configuration, state: PKCE.randomToken(), codeVerifier: PKCE.makeVerifier())
    }

    /// Exchanges an authorization code for tokens.
    ///
    /// - Parameters:
    ///   - code: The code from ``AuthorizationRequest/authorizationCode(fromRedirect:)``.
    ///   - request: The login attempt the code belongs to (for its redirect URI and verifier).
    /// - Throws: ``OAuthError`` for a refusal or an unusable answer; the transport's error when
    ///   the token endpoint could not be reached, or `TransportError` before sending when the
    ///   token URL is plain `http` to a host other than this machine.
    public func exchange(code: Secret, for request: AuthorizationRequest) async throws -> TokenResponse {
        try await requestTokens([
            ("grant_type", "authorization_code"),
            ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret.value),
            ("code", code.value),
            ("redirect_uri", request.redirectURI.absoluteString),
            ("code_verifier", request.codeVerifier.value),
        ])
    }

    /// Exchanges a refresh token for new tokens.
    ///
    /// - Parameter refreshToken: The newest refresh token.
    /// - Throws: ``OAuthError`` (``OAuthError/Code/invalidGrant`` when the refresh token is no
    ///   longer valid); the transport's error when the token endpoint could not be reached.
    public func refresh(using refreshToken: Secret) async throws -> TokenResponse {
        try await requestTokens([
            ("grant_type", "refresh_token"),
            ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret.value),
            ("refresh_token", refreshToken.value),
        ])
    }

    /// Starts a device-flow login (RFC 8628) for the configured scopes.
    ///
    /// - Returns: What to show the user, and the wait for their approval.
    /// - Throws: ``OAuthError`` for a refusal (for `invalid_client`, saying which redirect URIs a
    ///   Webex integration must list) or an unusable answer; the transport's error.
    public func startDeviceAuthorization() async throws -> DeviceAuthorization {
        let fields = [("client_id", configuration.clientID), ("scope", configuration.scopes.joined(separator: " "))]
        return try DeviceAuthorization(client: self, response: try await post(fields, to: configuration.endpoints.deviceAuthorizeURL))
    }

    /// One poll of the device token endpoint, authenticated with HTTP Basic as Webex asks.
    func pollDeviceToken(_ deviceCode: Secret) async throws -> TokenResponse {
        let url = configuration.endpoints.deviceTokenURL
        try CredentialDestination.check(url, carrying: "the client secret")
        let basic = Data("\(configuration.clientID):\(configuration.clientSecret.value)".utf8).base64EncodedString()
        let fields = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode.value), ("client_id", configuration.clientID),
        ]
        return try TokenResponse.parse(try await post(fields, to: url, authorization: "Basic \(basic)"))
    }

    private func requestTokens(_ fields: [(name: String, value: String)]) async throws -> TokenResponse {
        try CredentialDestination.check(configuration.endpoints.tokenURL, carrying: "the client secret")
        return try TokenResponse.parse(try await post(fields, to: configuration.endpoints.tokenURL))
    }

    /// A form POST asking for JSON, as every OAuth endpoint here takes.
    private func post(_ fields: [(name: String, value: String)], to url: URL, authorization: String? = nil) async throws -> HTTPResponse {
        var request = HTTPRequest(
            method: .post,
            url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(FormEncoding.encode(fields).utf8)
        )
        request.headers["Authorization"] = authorization
        return try await transport.send(request)
    }
}
