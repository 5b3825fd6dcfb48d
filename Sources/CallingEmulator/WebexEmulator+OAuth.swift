import CallingAuth
import CallingTransport
import Foundation

extension WebexEmulator {
    /// `GET /v1/authorize`: approves the configured user and redirects with a code (or
    /// `error=access_denied`). An unknown client or redirect URI gets an error page, never a
    /// redirect, so a code can never be sent somewhere unregistered.
    func authorize(_ query: [String: String]) -> HTTPResponse {
        guard query["client_id"] == configuration.clientID else {
            return Self.page(400, "Unknown client_id. Check the integration's client id.")
        }
        guard let redirect = query["redirect_uri"], isRegistered(redirect), var target = URLComponents(string: redirect) else {
            return Self.page(400, "redirect_uri is not registered for this integration.")
        }
        var answer: [(name: String, value: String)]
        if query["response_type"] != "code" {
            answer = [("error", "unsupported_response_type")]
        } else if let method = query["code_challenge_method"], method != "S256" {
            answer = [("error", "invalid_request"), ("error_description", "only code_challenge_method=S256 is supported")]
        } else if configuration.denyAuthorization {
            answer = [("error", "access_denied"), ("error_description", "The user declined the authorization.")]
        } else {
            let code = "emu-code-" + PKCE.randomToken()
            codes[code] = Code(
                clientID: configuration.clientID, redirectURI: redirect, challenge: query["code_challenge"],
                expiresAt: now() + configuration.codeLifetime.timeInterval, scope: query["scope"] ?? ""
            )
            answer = [("code", code)]
        }
        if let state = query["state"] {
            answer.append(("state", state))
        }
        target.percentEncodedQuery = [target.percentEncodedQuery, FormEncoding.encode(answer)]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "&")
        return HTTPResponse(status: 302, headers: ["Location": target.string ?? redirect])
    }

    /// Exact match, or (RFC 8252 §7.3) a loopback redirect with the same path on any port.
    private func isRegistered(_ redirect: String) -> Bool {
        guard let candidate = URL(string: redirect) else { return false }
        return configuration.redirectURIs.contains { registered in
            guard let allowed = URL(string: registered) else { return false }
            if registered == redirect { return true }
            return CredentialDestination.isLoopback(allowed.host ?? "") && allowed.scheme == "http"
                && candidate.scheme == "http" && candidate.host == allowed.host && candidate.path == allowed.path
        }
    }

    /// `POST /v1/access_token`: the authorization-code and refresh-token grants, form bodies only.
    func token(_ request: HTTPRequest) -> HTTPResponse {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        }
        let form = Self.form(request)
        guard let grantType = form["grant_type"] else {
            return oauthError(400, "invalid_request", "grant_type is missing")
        }
        guard form["client_id"] == configuration.clientID, form["client_secret"] == configuration.clientSecret.value else {
            return oauthError(401, "invalid_client", "unknown client or wrong client secret")
        }
        switch grantType {
        case "authorization_code":
            guard let value = form["code"], let code = codes.removeValue(forKey: value) else {
                return oauthError(400, "invalid_grant", "the authorization code is unknown or was already used")
            }
            guard now() < code.expiresAt else {
                return oauthError(400, "invalid_grant", "the authorization code expired")
            }
            guard form["redirect_uri"] == code.redirectURI else {
                return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request")
            }
            if let challenge = code.challenge {
                guard let verifier = form["code_verifier"], PKCE.challenge(for: verifier) == challenge else {
                    return oauthError(400, "invalid_grant", "the PKCE code_verifier does not match the code_challenge")
                }
            }
            return issueTokens(userID: configuration.userID, scope: code.scope, refreshToken: nil)
        case "refresh_token":
            guard let value = form["refresh_token"], let grant = refreshTokens[value], now() < grant.expiresAt else {
                return oauthError(400, "invalid_grant", "the refresh token is unknown, expired or revoked")
            }
            return issueTokens(userID: grant.userID, scope: grant.scope, refreshToken: value)
        default:
            return oauthError(400, "unsupported_grant_type", "grant_type \(grantType) is not supported")
        }
    }

    /// New tokens; a refresh renews the presented refresh token, or replaces it when rotating.
    func issueTokens(userID: String, scope: String, refreshToken presented: String?) -> HTTPResponse {
        Self.json(200, Self.tokenFields(grantTokens(userID: userID, scope: scope, refreshToken: presented)))
    }

    /// The token endpoint's JSON fields for `tokens`.
    static func tokenFields(_ tokens: TokenResponse) -> [String: Any] {
        [
            "access_token": tokens.accessToken.value,
            "expires_in": tokens.expiresIn,
            "refresh_token": tokens.refreshToken?.value ?? "",
            "refresh_token_expires_in": tokens.refreshTokenExpiresIn ?? 0,
            "token_type": tokens.tokenType ?? "Bearer",
            "scope": tokens.scopes?.joined(separator: " ") ?? "",
        ]
    }

    /// Records a new access token for `userID` and a refresh token (the presented one renewed,
    /// or a new one), and returns them as the token endpoint answers.
    func grantTokens(userID: String, scope: String, refreshToken presented: String?) -> TokenResponse {
        let access = "emu-at-" + PKCE.randomToken()
        accessTokens[access] = AccessGrant(userID: userID, expiresAt: now() + configuration.accessTokenLifetime.timeInterval)
        var refresh = presented ?? "emu-rt-" + PKCE.randomToken()
        if let presented, configuration.rotatesRefreshTokens {
            refreshTokens[presented] = nil
            refresh = "emu-rt-" + PKCE.randomToken()
        }
        refreshTokens[refresh] = RefreshGrant(
            userID: userID, expiresAt: now() + configuration.refreshTokenLifetime.timeInterval, scope: scope
        )
        return TokenResponse(
            accessToken: Secret(access),
            expiresIn: Int(configuration.accessTokenLifetime.timeInterval),
            refreshToken: Secret(refresh),
            refreshTokenExpiresIn: Int(configuration.refreshTokenLifetime.timeInterval),
            tokenType: "Bearer",
            scopes: scope.split(separator: " ").map(String.init)
        )
    }

    func oauthError(_ status: Int, _ error: String, _ description: String) -> HTTPResponse {
        Self.json(status, ["error": error, "error_description": description])
    }

    static func page(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "text/html; charset=utf-8"],
            body: Data("<!doctype html><title>Authorization error</title><p>\(text)</p>\n".utf8)
        )
    }
}
