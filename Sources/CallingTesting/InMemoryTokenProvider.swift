import CallingTransport

/// Hands out `token-1`, then `token-2`, … each time a token is refreshed or rotated, and
/// remembers which tokens were rejected.
public final class InMemoryTokenProvider: AccessTokenProvider {
    /// The error a refusing provider throws: final (the login is gone) or not (the token
    /// endpoint failed for now).
    public struct RefreshRefused: AccessTokenError, Sendable {
        /// Whether only a new login can help.
        public var requiresLogin: Bool

        /// Creates a refusal.
        public init(requiresLogin: Bool) {
            self.requiresLogin = requiresLogin
        }
    }

    private let state: Locked<(number: Int, rejected: [String], refusal: RefreshRefused?)>

    /// Creates a provider; with `refusing`, refreshes throw that error.
    public init(refusing refusal: RefreshRefused? = nil) {
        state = Locked((1, [], refusal))
    }

    /// The token handed out now.
    public var current: String {
        state.withLock { "token-\($0.number)" }
    }

    /// The tokens servers rejected, in order.
    public var rejected: [String] {
        state.withLock(\.rejected)
    }

    /// Moves to the next token, as a store does when the old one nears expiry.
    public func rotate() {
        state.withLock { $0.number += 1 }
    }

    /// The current token.
    public func accessToken() async throws -> Secret {
        Secret(current)
    }

    /// The next token, unless the current one already differs from `rejected`.
    public func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret {
        try state.withLock { state in
            state.rejected.append(rejected.value)
            if let refusal = state.refusal {
                throw refusal
            }
            if rejected.value == "token-\(state.number)" {
                state.number += 1
            }
            return Secret("token-\(state.number)")
        }
    }
}
