/// Supplies the access token that ``BearerTokenMiddleware`` puts on each request.
///
/// `TokenStore` in CallingAuth is the package's implementation, with refresh, persistence and
/// one refresh shared by concurrent callers. An app with its own token source (a secrets manager,
/// a bot token) conforms a small type of its own:
///
/// ```swift
/// struct FixedToken: AccessTokenProvider {
///     let token: Secret
///     func accessToken() async throws -> Secret { token }
///     func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret {
///         throw MyError.tokenRejected   // nothing to refresh: let the 401 stand
///     }
/// }
/// ```
public protocol AccessTokenProvider: Sendable {
    /// A token that is valid now, refreshed first if it is about to expire.
    func accessToken() async throws -> Secret

    /// A token to use instead of one the server rejected with 401.
    ///
    /// Many requests can fail with the same token at once; an implementation should refresh once
    /// for all of them, and return its current token without refreshing when that token already
    /// differs from `rejected`.
    ///
    /// - Parameter rejected: The token the server refused.
    func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret
}
