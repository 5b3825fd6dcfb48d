import CallingTransport
import Foundation

/// Keeps one user's tokens valid: refreshes before they expire, persists every new set, and
/// serves access tokens to any number of concurrent callers.
///
/// - One refresh at a time: callers that need a fresh token while a refresh is under way wait for
///   that refresh and share its outcome, its error included.
/// - Refreshes inside a margin before expiry: the configured ``Configuration/refreshMargin``
///   (60 s by default) or half the token's lifetime, whichever is smaller. Each store starts its
///   refreshes at its own point of the margin's first half (``Configuration/refreshSpread``), so
///   many users' tokens issued in the same minute are not all refreshed in the same second.
/// - Stores that share a ``TokenRefreshLimit`` refresh at most its number at once.
/// - Saves new tokens before handing them out, so the newest refresh token is never only in memory.
/// - `invalid_grant` means the login is gone: after re-reading the persisted tokens (another
///   process may have refreshed them), the store answers ``OAuthError/Code/loginRequired`` until
///   ``login(with:)``. A network failure or a 5xx keeps the tokens; the next call tries again.
///
/// It conforms to `AccessTokenProvider`, so a `BearerTokenMiddleware` (and CallingCore) can use
/// it directly.
public actor TokenStore: AccessTokenProvider {
    /// Refresh timing.
    public struct Configuration: Sendable {
        /// How long before expiry a token counts as due for refresh (capped at half its lifetime).
        public var refreshMargin: Duration
        /// How far into the margin a store may start its refreshes, drawn once per store (held to
        /// half the margin): the spread of many stores' refresh instants.
        public var refreshSpread: Duration
        /// The limit this store's refreshes share with other stores', if any.
        public var refreshLimit: TokenRefreshLimit?

        /// Creates a configuration.
        public init(refreshMargin: Duration, refreshSpread: Duration = .seconds(30), refreshLimit: TokenRefreshLimit? = nil) {
            self.refreshMargin = refreshMargin
            self.refreshSpread = refreshSpread
            self.refreshLimit = refreshLimit
        }

        /// A 60-second refresh margin, refreshes spread over its first 30 seconds, no shared limit.
        public static var defaults: Configuration { Configuration(refreshMargin: .seconds(60)) }
    }

    private let client: OAuthClient
    private let persistence: any TokenPersistence
    private let configuration: Configuration
    private let now: @Sendable () -> Date
    private let logger: CallingLogger
    /// Where in the spread this store starts its refreshes: 0 at the margin's start, 1 at the
    /// spread's end.
    private let spreadPoint = Double.random(in: 0..<1)

    private var tokens: TokenSet? { didSet { publish() } }
    private var loaded = false { didSet { publish() } }
    private var unsaved = false { didSet { publish() } }
    private var loginRequired = false { didSet { publish() } }
    /// The access token any caller may take without entering the actor, and until when: the
    /// current token while it is loaded, saved, usable and outside the refresh margin. Every
    /// request of every line asks for a token; they should not all queue on this actor.
    private nonisolated let ready = Locked<(token: Secret, until: Date)?>(nil)
    private var refreshInFlight: Task<TokenSet, any Error>?
    /// Whether that refresh has yet to get its turn under the refresh limit.
    private var refreshWaitsForTurn = false

    /// Creates a store. It reads the persisted tokens on first use.
    ///
    /// - Parameters:
    ///   - client: Performs refreshes.
    ///   - persistence: Where tokens are kept between runs.
    ///   - configuration: Refresh timing.
    ///   - now: The wall clock; tests pass a manual one.
    ///   - logger: Where refreshes and their outcomes are logged (`debug`).
    public init(
        client: OAuthClient,
        persistence: any TokenPersistence,
        configuration: Configuration = .defaults,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: CallingLogger = .disabled
    ) {
        self.client = client
        self.persistence = persistence
        self.configuration = configuration
        self.now = now
        self.logger = logger.from("CallingAuth")
    }

    /// Starts over with the tokens of a new login, saved before this returns.
    ///
    /// This is the one way past ``OAuthError/Code/loginRequired``, and it replaces a token file
    /// that could not be read.
    ///
    /// - Parameter response: The answer to ``OAuthClient/exchange(code:for:)``.
    /// - Returns: The stored tokens.
    /// - Throws: The persistence's error; the tokens are then kept in memory and saved again
    ///   before they are next handed out.
    @discardableResult
    public func login(with response: TokenResponse) async throws -> TokenSet {
        let fresh = TokenSet(response: response, receivedAt: now())
        tokens = fresh
        loaded = true
        loginRequired = false
        try await store(fresh)
        return fresh
    }

    /// The current tokens, loaded from persistence if needed, without refreshing them.
    ///
    /// - Returns: The tokens, or `nil` when nobody has logged in.
    /// - Throws: The persistence's error when the stored tokens cannot be read.
    public func currentTokens() async throws -> TokenSet? {
        try await loadIfNeeded()
        return tokens
    }

    /// An access token valid now; refreshed first when inside the refresh margin.
    ///
    /// When a refresh fails for a transient reason but the current token has not yet expired, the
    /// current token is returned; so it is, without waiting, while the refresh waits for its
    /// turn under a full ``Configuration/refreshLimit``.
    ///
    /// - Throws: ``OAuthError`` (``OAuthError/Code/loginRequired`` when there is no usable login),
    ///   or the transport's or persistence's error.
    public nonisolated func accessToken() async throws -> Secret {
        if let ready = ready.withLock({ $0 }), now() < ready.until {
            return ready.token
        }
        return try await accessTokenRefreshingIfDue()
    }

    private func accessTokenRefreshingIfDue() async throws -> Secret {
        let current = try await usableTokens()
        guard isDue(current) else {
            return current.accessToken
        }
        let refresh = refreshUnderWay()
        if refreshWaitsForTurn, configuration.refreshLimit?.isFull == true, now() < current.accessTokenExpiresAt {
            // Many users' tokens came due together and this refresh waits its turn: the token
            // still works, so the caller (a keepalive) does not wait with it.
            return current.accessToken
        }
        do {
            return try await refresh.value.accessToken
        } catch let error as OAuthError where error.code == .loginRequired {
            throw error
        } catch {
            guard now() < current.accessTokenExpiresAt else { throw error }
            return current.accessToken
        }
    }

    /// A replacement for a token the server rejected: the current token if it is already a
    /// different one, otherwise a refreshed one (shared with concurrent callers).
    public func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret {
        let current = try await usableTokens()
        guard current.accessToken == rejected else {
            return current.accessToken
        }
        return try await sharedRefresh().accessToken
    }

    /// Refreshes now, whatever the expiry (or joins a refresh under way).
    ///
    /// - Returns: The new tokens, already saved.
    /// - Throws: As ``accessToken()``.
    @discardableResult
    public func refresh() async throws -> TokenSet {
        _ = try await usableTokens()
        return try await sharedRefresh()
    }

    private func usableTokens() async throws -> TokenSet {
        try await loadIfNeeded()
        guard !loginRequired, let tokens else {
            throw Self.loginRequiredError(loginRequired ? "the login is no longer valid" : "there are no tokens yet")
        }
        if unsaved {
            try await store(tokens)
        }
        return tokens
    }

    private func loadIfNeeded() async throws {
        guard !loaded else { return }
        let stored = try await persistence.load()
        if !loaded {
            tokens = stored
            loaded = true
        }
    }

    private func isDue(_ tokens: TokenSet) -> Bool {
        now() >= refreshTime(of: tokens)
    }

    /// When this store refreshes `tokens`: min(margin, half the token's lifetime) before expiry,
    /// moved later by the store's point in the spread (at most half the margin).
    private func refreshTime(of tokens: TokenSet) -> Date {
        let lifetime = tokens.accessTokenExpiresAt.timeIntervalSince(tokens.receivedAt)
        let margin = max(0, min(configuration.refreshMargin.timeInterval, lifetime / 2))
        let spread = min(max(0, configuration.refreshSpread.timeInterval), margin / 2)
        return tokens.accessTokenExpiresAt - margin + spread * spreadPoint
    }

    private func publish() {
        let handout: (token: Secret, until: Date)? =
            if loaded, !unsaved, !loginRequired, let tokens { (tokens.accessToken, refreshTime(of: tokens)) } else { nil }
        ready.withLock { $0 = handout }
    }

    private func sharedRefresh() async throws -> TokenSet {
        try await refreshUnderWay().value
    }

    /// The refresh under way, or a new one. It clears itself when it ends, so that a refresh
    /// nobody waits for (see ``accessToken()``) leaves nothing behind.
    private func refreshUnderWay() -> Task<TokenSet, any Error> {
        if let refreshInFlight {
            return refreshInFlight
        }
        let task = Task {
            defer { (refreshInFlight, refreshWaitsForTurn) = (nil, false) }
            return try await performRefresh()
        }
        refreshInFlight = task
        refreshWaitsForTurn = true
        return task
    }

    /// Refreshes holding the persistence's exclusive access: another process may have refreshed
    /// while this one waited, and then its saved tokens are taken instead of refreshing again
    /// (with a rotating server, this process's refresh token is already dead).
    private func performRefresh() async throws -> TokenSet {
        let limit = configuration.refreshLimit
        try await limit?.acquire()
        refreshWaitsForTurn = false
        defer { limit?.release() }
        logger.debug("token refresh started")
        do {
            let fresh = try await persistence.withExclusiveAccess { try await self.refreshExclusively() }
            logger.debug("token refresh finished", metadata: ["accessTokenExpiresAt": fresh.accessTokenExpiresAt.formatted(.iso8601)])
            return fresh
        } catch {
            logger.debug("token refresh failed", metadata: Self.logged(error))
            throw error
        }
    }

    /// An error's code and status: never its message, which may quote the server.
    private static func logged(_ error: any Error) -> [String: String] {
        guard let error = error as? OAuthError else { return ["error": String(describing: type(of: error))] }
        var metadata = ["error": error.code.description]
        if let status = error.httpStatus {
            metadata["httpStatus"] = String(status)
        }
        return metadata
    }

    private func refreshExclusively() async throws -> TokenSet {
        guard var current = tokens, !loginRequired else {
            throw Self.loginRequiredError("there are no tokens yet")
        }
        if !unsaved, let stored = try? await persistence.load(), stored != current, stored.receivedAt >= current.receivedAt,
            stored.refreshToken != nil
        {
            tokens = stored
            unsaved = false
            logger.debug("took the tokens another process saved")
            guard isDue(stored) else { return stored }
            current = stored
        }
        guard let refreshToken = current.refreshToken,
            current.refreshTokenExpiresAt.map({ now() < $0 }) ?? true
        else {
            loginRequired = true
            throw Self.loginRequiredError("the refresh token is missing or expired")
        }
        let response: TokenResponse
        do {
            response = try await client.refresh(using: refreshToken)
        } catch let error as OAuthError where error.code == .invalidGrant {
            if let newer = try? await persistence.load(), newer.refreshToken != refreshToken, !isExpired(newer) {
                tokens = newer
                unsaved = false
                return newer
            }
            loginRequired = true
            throw OAuthError(
                code: .loginRequired,
                message: "the refresh token was refused (invalid_grant): log in again",
                httpStatus: error.httpStatus,
                oauthError: error.oauthError
            )
        }
        let fresh = TokenSet(response: response, receivedAt: now(), previous: current)
        tokens = fresh
        try await store(fresh)
        return fresh
    }

    private func store(_ fresh: TokenSet) async throws {
        unsaved = true
        try await persistence.save(fresh)
        if tokens == fresh {
            unsaved = false
        }
    }

    private func isExpired(_ tokens: TokenSet) -> Bool {
        now() >= tokens.accessTokenExpiresAt
    }

    private static func loginRequiredError(_ reason: String) -> OAuthError {
        OAuthError(code: .loginRequired, message: "\(reason): log in again")
    }
}
