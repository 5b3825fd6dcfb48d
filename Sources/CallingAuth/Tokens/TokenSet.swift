import CallingTransport
import Foundation

/// The tokens of one login, with the times they expire: what a ``TokenStore`` keeps and persists.
public struct TokenSet: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The access token.
    public var accessToken: Secret
    /// When the access token expires.
    public var accessTokenExpiresAt: Date
    /// The refresh token, if the server issued one.
    public var refreshToken: Secret?
    /// When the refresh token expires, if the server said.
    public var refreshTokenExpiresAt: Date?
    /// The granted scopes (empty when the server never listed them).
    public var scopes: [String]
    /// When the access token was received; with its expiry this gives its lifetime.
    public var receivedAt: Date

    /// Creates a token set.
    public init(
        accessToken: Secret,
        accessTokenExpiresAt: Date,
        refreshToken: Secret?,
        refreshTokenExpiresAt: Date?,
        scopes: [String],
        receivedAt: Date
    ) {
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scopes = scopes
        self.receivedAt = receivedAt
    }

    /// The tokens of a token endpoint answer received at `date`.
    ///
    /// A refresh answer may leave out the refresh token or the scopes; then those of `previous`
    /// are kept, so the newest refresh token is never lost. Times are whole seconds, rounded
    /// down, so they survive a round trip through the token file unchanged.
    public init(response: TokenResponse, receivedAt date: Date, previous: TokenSet? = nil) {
        let received = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        accessToken = response.accessToken
        accessTokenExpiresAt = received + TimeInterval(response.expiresIn)
        if let refresh = response.refreshToken {
            refreshToken = refresh
            refreshTokenExpiresAt = response.refreshTokenExpiresIn.map { received + TimeInterval($0) }
        } else {
            refreshToken = previous?.refreshToken
            refreshTokenExpiresAt = previous?.refreshTokenExpiresAt
        }
        scopes = response.scopes ?? previous?.scopes ?? []
        receivedAt = received
    }

    /// Expiry times and scopes; never the tokens.
    public var description: String {
        let refresh = refreshToken == nil ? "none" : "expires \(refreshTokenExpiresAt.map { "\($0)" } ?? "unstated")"
        return "TokenSet(access token expires \(accessTokenExpiresAt), refresh token \(refresh), scopes: \(scopes.joined(separator: " ")))"
    }

    private enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case accessTokenExpiresAt = "access_token_expires_at"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case scopes
        case receivedAt = "received_at"
    }
}
