import CallingTransport
import Foundation

/// Everything needed to log a user in with OAuth 2.0 and keep their tokens fresh.
///
/// The defaults are Webex's: its authorize and token URLs and the scopes Webex Calling needs.
/// Point ``endpoints`` elsewhere to use the emulator or any other OAuth 2.0 server.
public struct OAuthConfiguration: Sendable {
    /// The authorization server's URLs.
    public struct Endpoints: Sendable, Equatable {
        /// Where the user's browser goes to approve access.
        public var authorizeURL: URL
        /// Where codes and refresh tokens are exchanged for tokens.
        public var tokenURL: URL

        /// Creates a set of endpoints.
        public init(authorizeURL: URL, tokenURL: URL) {
            self.authorizeURL = authorizeURL
            self.tokenURL = tokenURL
        }

        /// Webex: `https://webexapis.com/v1/authorize` and `https://webexapis.com/v1/access_token`.
        public static var webex: Endpoints {
            Endpoints(
                authorizeURL: URL(string: "https://webexapis.com/v1/authorize")!,
                tokenURL: URL(string: "https://webexapis.com/v1/access_token")!
            )
        }

        /// The package's emulator (or any server with Webex's paths) at `baseURL`:
        /// `{baseURL}/v1/authorize` and `{baseURL}/v1/access_token`.
        public static func emulator(baseURL: URL) -> Endpoints {
            Endpoints(
                authorizeURL: baseURL.appending(path: "v1/authorize"),
                tokenURL: baseURL.appending(path: "v1/access_token")
            )
        }
    }

    /// The scopes Webex Calling needs: `spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi`.
    public static let callingScopes = [
        "spark:webrtc_calling", "spark:calls_read", "spark:calls_write", "spark:xsi",
    ]

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
