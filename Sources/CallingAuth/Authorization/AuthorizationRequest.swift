import CallingTransport
import Foundation

/// One login attempt: the URL to open in a browser, and what is needed to check and complete it.
///
/// Make one with ``OAuthClient/makeAuthorizationRequest()``, send the user to ``url``, then pass
/// the URL the browser was redirected to to ``authorizationCode(fromRedirect:)`` and the code to
/// ``OAuthClient/exchange(code:for:)``. Keep the request until then: it holds the `state` and
/// the PKCE verifier that the exchange needs.
public struct AuthorizationRequest: Sendable, CustomStringConvertible {
    /// The authorize URL with `response_type`, `client_id`, `redirect_uri`, `scope`, `state`,
    /// `code_challenge` and `code_challenge_method=S256`.
    public let url: URL
    /// The unguessable value the redirect must carry back (256 bits, base64url).
    public let state: String
    /// Where the authorization server sends the browser back to.
    public let redirectURI: URL
    /// The PKCE code verifier, sent only with the code exchange.
    let codeVerifier: Secret

    init(configuration: OAuthConfiguration, state: String, codeVerifier: Secret) {
        self.state = state
        self.codeVerifier = codeVerifier
        self.redirectURI = configuration.redirectURI
        let query = FormEncoding.encode([
            ("response_type", "code"),
            ("client_id", configuration.clientID),
            ("redirect_uri", configuration.redirectURI.absoluteString),
            ("scope", configuration.scopes.joined(separator: " ")),
            ("state", state),
            ("code_challenge", PKCE.challenge(for: codeVerifier.value)),
            ("code_challenge_method", "S256"),
        ])
        var components = URLComponents(url: configuration.endpoints.authorizeURL, resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = [components.percentEncodedQuery, query]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "&")
        self.url = components.url!
    }

    /// The authorization code from the URL the browser was redirected to.
    ///
    /// The redirect must arrive at the redirect URI's path and carry this request's `state`;
    /// only then is its `code` (or `error`) looked at, so a forged or stale redirect, an error
    /// one included, never ends the login.
    ///
    /// - Parameter redirect: The full URL of the redirect, with its query.
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/redirectMismatch``,
    ///   ``OAuthError/Code/stateMismatch``, ``OAuthError/Code/missingCode``, or the server's
    ///   error (for example ``OAuthError/Code/accessDenied``).
    public func authorizationCode(fromRedirect redirect: URL) throws -> Secret {
        let expectedPath = redirectURI.path.isEmpty ? "/" : redirectURI.path
        let actualPath = redirect.path.isEmpty ? "/" : redirect.path
        guard actualPath == expectedPath else {
            throw OAuthError(
                code: .redirectMismatch,
                message: "the redirect arrived at \(actualPath), not at the redirect URI's path \(expectedPath)"
            )
        }
        let query = URLComponents(url: redirect, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? ""
        let fields = Dictionary(FormEncoding.decode(query), uniquingKeysWith: { first, _ in first })
        guard fields["state"] == state else {
            throw OAuthError(
                code: .stateMismatch,
                message: "the redirect's state does not match this login (it may be forged or from an older attempt); start the login again"
            )
        }
        if let error = fields["error"] {
            let detail = fields["error_description"].map { ": \($0)" } ?? ""
            throw OAuthError(
                code: .oauth(error),
                message: "the authorization server refused the login (\(error)\(detail)); check the client id, redirect URI and scopes, then log in again",
                oauthError: error
            )
        }
        guard let code = fields["code"], !code.isEmpty else {
            throw OAuthError(
                code: .missingCode,
                message: "the redirect carried no authorization code; start the login again"
            )
        }
        return Secret(code)
    }

    /// The authorize URL's host and the redirect URI; never the verifier.
    public var description: String {
        "AuthorizationRequest(\(url.host ?? "?") → \(redirectURI.absoluteString))"
    }
}
