import CallingTransport

/// A login, token or token-storage failure, with what to do about it.
///
/// The message never contains a token, secret, code or verifier. ``code`` tells failures apart;
/// ``oauthError`` keeps the authorization server's own error string, and ``httpStatus`` its status.
public struct OAuthError: AccessTokenError, Sendable, CustomStringConvertible {
    /// What kind of failure this was.
    ///
    /// A struct rather than an enum, so that new kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case invalidRequest = "invalid_request"
            case invalidClient = "invalid_client"
            case invalidGrant = "invalid_grant"
            case unauthorizedClient = "unauthorized_client"
            case unsupportedGrantType = "unsupported_grant_type"
            case invalidScope = "invalid_scope"
            case accessDenied = "access_denied"
            case expiredToken = "expired_token"
            case authorizationPending = "authorization_pending"
            case slowDown = "slow_down"
            case otherServerError = "other server error"
            case unexpectedResponse = "unexpected response"
            case stateMismatch = "state mismatch"
            case missingCode = "missing code"
            case redirectMismatch = "redirect mismatch"
            case loginRequired = "login required"
            case tokenStorage = "token storage"
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The request was malformed (RFC 6749 `invalid_request`).
        public static let invalidRequest = Code(.invalidRequest)
        /// The client id or secret was rejected (`invalid_client`).
        public static let invalidClient = Code(.invalidClient)
        /// The code or refresh token is expired, revoked or already used (`invalid_grant`).
        public static let invalidGrant = Code(.invalidGrant)
        /// The client may not use this grant (`unauthorized_client`).
        public static let unauthorizedClient = Code(.unauthorizedClient)
        /// The server does not support this grant type (`unsupported_grant_type`).
        public static let unsupportedGrantType = Code(.unsupportedGrantType)
        /// A requested scope is unknown or not allowed (`invalid_scope`).
        public static let invalidScope = Code(.invalidScope)
        /// The user (or server) declined the authorization (`access_denied`).
        public static let accessDenied = Code(.accessDenied)
        /// The device code expired before the user approved it (RFC 8628 `expired_token`).
        public static let expiredToken = Code(.expiredToken)
        /// The user has not yet approved the device (RFC 8628 `authorization_pending`).
        public static let authorizationPending = Code(.authorizationPending)
        /// The device polls too often (RFC 8628 `slow_down`).
        public static let slowDown = Code(.slowDown)
        /// Another RFC 6749 error string; see ``OAuthError/oauthError``.
        public static let otherServerError = Code(.otherServerError)
        /// An answer that is neither tokens nor RFC 6749 error JSON (HTML, empty, truncated).
        public static let unexpectedResponse = Code(.unexpectedResponse)
        /// The redirect's `state` was missing or not the one sent: possibly a forged redirect.
        public static let stateMismatch = Code(.stateMismatch)
        /// The redirect carried neither a code nor an error.
        public static let missingCode = Code(.missingCode)
        /// The redirect arrived at a different path than the redirect URI.
        public static let redirectMismatch = Code(.redirectMismatch)
        /// There are no usable tokens: the user must log in (again).
        public static let loginRequired = Code(.loginRequired)
        /// The token file could not be read, parsed or written.
        public static let tokenStorage = Code(.tokenStorage)

        /// The code for an RFC 6749 error string.
        static func oauth(_ error: String) -> Code {
            Wrapped(rawValue: error).map(Code.init) ?? .otherServerError
        }

        /// A short name for the code.
        public var description: String { wrapped.rawValue }
    }

    /// What kind of failure this was.
    public var code: Code
    /// What went wrong and what to do.
    public var message: String
    /// The HTTP status of the answer, when there was one.
    public var httpStatus: Int?
    /// The authorization server's `error` string, when it sent one.
    public var oauthError: String?
    /// The error behind this one (a `TransportError`, a file system error), when there is one.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        httpStatus: Int? = nil,
        oauthError: String? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.oauthError = oauthError
        self.underlying = underlying
    }

    /// The message, with the underlying error when there is one.
    public var description: String {
        underlying.map { "\(message) (\($0))" } ?? message
    }
}

extension OAuthError {
    /// True for a login that is gone (``Code/loginRequired``, ``Code/invalidGrant``) or a client
    /// that was refused (``Code/invalidClient``, ``Code/unauthorizedClient``); a failure to reach
    /// the token endpoint, a 5xx or a 429 is worth retrying.
    public var requiresLogin: Bool {
        [.loginRequired, .invalidGrant, .invalidClient, .unauthorizedClient].contains(code)
    }
}
