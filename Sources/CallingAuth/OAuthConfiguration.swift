import CallingTransport
import Foundation

/// Everything needed to log a user in with OAuth 2.0 and keep their tokens fresh.
///
/// The defaults are Webex's: its authorize and token URLs and the scopes Webex Calling needs.
/// Point ``endpoints`` elsewhere to use the emulator or any other OAuth 2.0 server.
public struct OAuthConfiguration: Sendable {
    /// The authorization server's URLs.
    public struct Endpoints: Sendable, Equatable {
        /// Where the browser logs in.
        public var authorizeURL: URL
        /// Where codes and refresh tokens are exchanged for tokens.
        public var tokenURL: URL
        /// Where a device flow starts (RFC 8628).
        public var deviceAuthorizeURL: URL
        /// Where a device flow polls for its tokens.
        public var deviceTokenURL: URL

        /// Creates endpoints; the device flow's are Webex's unless given.
        public init(
            authorizeURL: URL,
            tokenURL: URL,
            deviceAuthorizeURL: URL = URL(string: "https://webexapis.com/v1/device/authorize")!,
            deviceTokenURL: URL = URL(string: "https://webexapis.com/v1/device/token")!
        ) {
            self.authorizeURL = authorizeURL
            self.tokenURL = tokenURL
            self.deviceAuthorizeURL = deviceAuthorizeURL
            self.deviceTokenURL = deviceTokenURL
        }

        /// Webex's: `https://webexapis.com/v1/authorize`, `…/v1/access_token`,
        /// `…/v1/device/authorize` and `…/v1/device/token`.
        public static var webex: Endpoints {
            Endpoints(
                authorizeURL: URL(string: "https://webexapis.com/v1/authorize")!,
                tokenURL: URL(string: "https://webexapis.com/v1/access_token")!
            )
        }

        /// The package's emulator (or any server with Webex's paths) at `baseURL`:
        /// `{baseURL}/v1/authorize`, `{baseURL}/v1/access_token`, `{baseURL}/v1/device/authorize`
        /// and `{baseURL}/v1/device/token`.
        public static func emulator(baseURL: URL) -> Endpoints {
            Endpoints(
                authorizeURL: baseURL.appending(path: "v1/authorize"),
                tokenURL: baseURL.appending(path: "v1/access_token"),
                deviceAuthorizeURL: baseURL.appending(path: "v1/device/authorize"),
                deviceTokenURL: baseURL.appending(path: "v1/device/token")
            )
        }
    }

    /// The scopes Webex Calling needs: `spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi`
    /// (``Scope/calling``).
    public static let callingScopes = Scope.calling.map(\.rawValue)

    /// The integration's client id.
    public var clientID: String
    /// The integration's client secret.
    public var clientSecret: Secret
    /// The redirect URI registered with the integration; the authorization server sends the user here.
    public var redirectURI: URL
    /// The scopes to ask for.
    public var scopes: [String]
    /// The authorization server's URLs.
    public var endpoints: Endpoints

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - clientID: The integration's client id.
    ///   - clientSecret: The integration's client secret.
    ///   - redirectURI: The redirect URI registered with the integration.
    ///   - scopes: The scopes to ask for; Webex Calling's by default.
    ///   - endpoints: The authorization server; Webex by default.
    public init(
        clientID: String,
        clientSecret: Secret,
        redirectURI: URL,
        scopes: [String] = OAuthConfiguration.callingScopes,
        endpoints: Endpoints = .webex
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.endpoints = endpoints
    }
}
