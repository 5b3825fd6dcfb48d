import CallingAuth
import CallingTransport
import Foundation

extension WebexEmulator {
    /// Who the emulator knows and how its services behave.
    public struct Configuration: Sendable {
        /// The integration's client id.
        public var clientID: String
        /// The integration's client secret.
        public var clientSecret: Secret
        /// Registered redirect URIs. A loopback one (127.0.0.1, localhost, [::1]) matches any
        /// port with the same path, as RFC 8252 asks.
        public var redirectURIs: [String]
        /// The user the authorize endpoint approves.
        public var userID: String
        /// Whether the authorize endpoint declines (redirects with `error=access_denied`).
        public var denyAuthorization: Bool
        /// How long access tokens live.
        public var accessTokenLifetime: Duration
        /// How long refresh tokens live.
        public var refreshTokenLifetime: Duration
        /// Whether a refresh issues a new refresh token (and invalidates the old one) rather than
        /// renewing the old one's lifetime.
        public var rotatesRefreshTokens: Bool
        /// How long an authorization code may wait to be exchanged.
        public var codeLifetime: Duration
        /// How long a device-flow code stays valid.
        public var deviceCodeLifetime: Duration
        /// The polling interval a device flow is told, in seconds.
        public var devicePollInterval: Int
        /// The keepalive interval registrations get, in seconds.
        public var keepaliveInterval: Int
        /// The rehoming window registrations get, in minutes.
        public var rehomingIntervalMinutes: ClosedRange<Int>
        /// How many lines (registrations) one user may have at once.
        public var deviceLimit: Int
        /// A registration expires after this many keepalive intervals without a keepalive.
        public var expiryIntervals: Int
        /// The region the region service reports: `clientRegion` and `countryCode`.
        public var region: (regionCode: String, countryCode: String)
        /// The primary Mobius servers' names.
        public var primaryServers: [String]
        /// The backup Mobius servers' names.
        public var backupServers: [String]

        /// Creates a configuration.
        public init(
            clientID: String = "swift-calling-emulator",
            clientSecret: Secret = Secret("emulator-secret"),
            redirectURIs: [String] = ["http://127.0.0.1/callback"],
            userID: String = "emulator-user",
            denyAuthorization: Bool = false,
            accessTokenLifetime: Duration = .seconds(3600),
            refreshTokenLifetime: Duration = .seconds(90 * 24 * 3600),
            rotatesRefreshTokens: Bool = false,
            codeLifetime: Duration = .seconds(60),
            deviceCodeLifetime: Duration = .seconds(600),
            devicePollInterval: Int = 5,
            keepaliveInterval: Int = 30,
            rehomingIntervalMinutes: ClosedRange<Int> = 60...120,
            deviceLimit: Int = 100,
            expiryIntervals: Int = 3,
            region: (regionCode: String, countryCode: String) = ("US-EAST", "US"),
            primaryServers: [String] = ["primary"],
            backupServers: [String] = ["backup"]
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURIs = redirectURIs
            self.userID = userID
            self.denyAuthorization = denyAuthorization
            self.accessTokenLifetime = accessTokenLifetime
            self.refreshTokenLifetime = refreshTokenLifetime
            self.rotatesRefreshTokens = rotatesRefreshTokens
            self.codeLifetime = codeLifetime
            self.deviceCodeLifetime = deviceCodeLifetime
            self.devicePollInterval = devicePollInterval
            self.keepaliveInterval = keepaliveInterval
            self.rehomingIntervalMinutes = rehomingIntervalMinutes
            self.deviceLimit = deviceLimit
            self.expiryIntervals = expiryIntervals
            self.region = region
            self.primaryServers = primaryServers
            self.backupServers = backupServers
        }

        /// A test client with a loopback redirect, hour-long tokens, 30 s keepalives, one primary
        /// and one backup server.
        public static var defaults: Configuration { Configuration() }
    }
}
