/// An access token the app already has (a script's, a bot's), used as it is: never refreshed.
///
/// When the server refuses it, ``refreshedAccessToken(replacing:)`` throws an error whose
/// ``AccessTokenError/requiresLogin`` is true, so lines stop with a token error instead of
/// retrying a token that cannot get better.
public struct FixedAccessToken: AccessTokenProvider {
    /// Why a fixed token cannot replace itself.
    public struct Refused: AccessTokenError, CustomStringConvertible {
        /// Always true: only a new token helps.
        public var requiresLogin: Bool { true }
        /// What happened and what to do.
        public var description: String {
            "the server refused the given access token, which cannot be refreshed: get a new one (or log in for a refreshable one)"
        }
    }

    private let token: Secret

    /// Uses `token` for every request.
    public init(_ token: Secret) {
        self.token = token
    }

    /// The token.
    public func accessToken() async throws -> Secret {
        token
    }

    /// Throws ``Refused``: there is nothing to refresh.
    public func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret {
        throw Refused()
    }
}
