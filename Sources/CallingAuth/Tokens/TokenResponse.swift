import CallingTransport
import Foundation

/// What a token endpoint answered to a code exchange or a refresh (RFC 6749 §5.1).
///
/// Lifetimes are relative, as the server sent them; ``TokenSet`` turns them into dates.
public struct TokenResponse: Sendable, Equatable, CustomStringConvertible {
    /// The new access token.
    public var accessToken: Secret
    /// Seconds until the access token expires.
    public var expiresIn: Int
    /// A new refresh token, when the server sent one.
    public var refreshToken: Secret?
    /// Seconds until the refresh token expires, when the server said.
    public var refreshTokenExpiresIn: Int?
    /// The token type, normally `Bearer`, when the server said.
    public var tokenType: String?
    /// The granted scopes, when the server listed them.
    public var scopes: [String]?

    /// Creates a response.
    public init(
        accessToken: Secret,
        expiresIn: Int,
        refreshToken: Secret? = nil,
        refreshTokenExpiresIn: Int? = nil,
        tokenType: String? = nil,
        scopes: [String]? = nil
    ) {
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.refreshTokenExpiresIn = refreshTokenExpiresIn
        self.tokenType = tokenType
        self.scopes = scopes
    }

    /// Lifetimes and scopes; never the tokens.
    public var description: String {
        "TokenResponse(expires in \(expiresIn) s, refresh token: \(refreshToken == nil ? "none" : "present"), scopes: \(scopes?.joined(separator: " ") ?? "unstated"))"
    }

    /// Parses a token endpoint's answer: tokens on 2xx, RFC 6749 error JSON otherwise. Lifetimes
    /// are held to ``InboundLimits/tokenLifetime``.
    ///
    /// - Throws: ``OAuthError`` with the server's error code, or
    ///   ``OAuthError/Code/unexpectedResponse`` quoting the HTTP status for any other body.
    ///   The body itself is never quoted: it may hold a token.
    package static func parse(_ response: HTTPResponse) throws -> TokenResponse {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.isSuccess else {
            throw errorFromBody(object, status: response.status, endpoint: "the token endpoint")
        }
        guard let object,
            let accessToken = object["access_token"] as? String, !accessToken.isEmpty,
            let expiresIn = integer(object["expires_in"]), expiresIn > 0
        else {
            throw OAuthError(
                code: .unexpectedResponse,
                message: "the token endpoint answered HTTP \(response.status) without a usable access_token and expires_in; check the token URL",
                httpStatus: response.status
            )
        }
        let lifetimes = InboundLimits.tokenLifetime
        return TokenResponse(
            accessToken: Secret(accessToken),
            expiresIn: InboundLimits.clamp(expiresIn, to: lifetimes),
            refreshToken: (object["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : Secret($0) },
            refreshTokenExpiresIn: integer(object["refresh_token_expires_in"]).map { InboundLimits.clamp($0, to: lifetimes) },
            tokenType: object["token_type"] as? String,
            scopes: (object["scope"] as? String).map { $0.split(separator: " ").map(String.init) }
        )
    }

    /// RFC 6749's `{error, error_description}`, or Webex's `{"errors": [{"description": …}]}`
    /// (whose description is taken for the error when it names one, as the device flow's do).
    static func errorFromBody(_ object: [String: Any]?, status: Int, endpoint: String) -> OAuthError {
        if object?["error"] == nil, let description = ((object?["errors"] as? [Any])?.first as? [String: Any])?["description"] as? String {
            let named = ["authorization_pending", "slow_down", "expired_token", "access_denied", "invalid_client", "unauthorized_client", "invalid_grant"]
                .first { description.contains($0) }
            return errorFromBody(["error": named ?? "server_error", "error_description": description], status: status, endpoint: endpoint)
        }
        guard let error = object?["error"] as? String, !error.isEmpty else {
            return OAuthError(
                code: .unexpectedResponse,
                message: "\(endpoint) answered HTTP \(status) with a body that is not OAuth error JSON; check its URL and try again later",
                httpStatus: status
            )
        }
        let detail = (object?["error_description"] as? String).map { ": \(InboundLimits.shownText($0))" } ?? ""
        let code = OAuthError.Code.oauth(error)
        let advice =
            switch code {
            case .invalidClient, .unauthorizedClient: "check the client id and client secret"
            case .invalidGrant: "log in again"
            case .invalidScope: "check the requested scopes against the integration's"
            default: "check the integration's settings"
            }
        return OAuthError(
            code: code,
            message: "\(endpoint) refused the request (HTTP \(status), \(InboundLimits.shownText(error))\(detail)); \(advice)",
            httpStatus: status,
            oauthError: error
        )
    }

    /// An integer from a JSON number or numeric string.
    private static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber where !(number is Bool) && number.doubleValue.rounded() == number.doubleValue:
            Int(exactly: number.doubleValue)
        case let text as String:
            Int(text)
        default:
            nil
        }
    }
}
