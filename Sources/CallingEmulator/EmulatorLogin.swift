import CallingAuth
import CallingTransport
import Foundation

/// A complete OAuth login against the emulator, for tests and demos that need a token store
/// without a browser: authorize (PKCE), follow the redirect, exchange the code.
public enum EmulatorLogin {
    /// The emulator's test integration as an OAuth client.
    ///
    /// - Parameters:
    ///   - transport: How to reach the emulator.
    ///   - baseURL: The emulator's base URL.
    ///   - configuration: The emulator's configuration (for the client id and secret).
    public static func client(transport: any Transport, baseURL: URL, configuration: WebexEmulator.Configuration = .defaults) -> OAuthClient {
        OAuthClient(
            configuration: OAuthConfiguration(
                clientID: configuration.clientID,
                clientSecret: configuration.clientSecret,
                redirectURI: URL(string: configuration.redirectURIs.first ?? "http://127.0.0.1/callback")!,
                endpoints: .emulator(baseURL: baseURL)
            ),
            transport: transport
        )
    }

    /// Logs the emulator's test user in and returns a token store holding the tokens.
    ///
    /// - Parameters:
    ///   - transport: How to reach the emulator.
    ///   - baseURL: The emulator's base URL.
    ///   - configuration: The emulator's configuration (for the client id and secret).
    ///   - persistence: Where the store keeps the tokens; in memory unless given.
    ///   - now: The wall clock for the store.
    public static func tokenStore(
        transport: any Transport,
        baseURL: URL,
        configuration: WebexEmulator.Configuration = .defaults,
        persistence: any TokenPersistence = MemoryTokenPersistence(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> TokenStore {
        let client = client(transport: transport, baseURL: baseURL, configuration: configuration)
        let request = client.makeAuthorizationRequest()
        let redirect = try await EmulatorBrowser.approve(request.url, transport: transport)
        let tokens = try await client.exchange(code: try request.authorizationCode(fromRedirect: redirect), for: request)
        let store = TokenStore(client: client, persistence: persistence, now: now)
        try await store.login(with: tokens)
        return store
    }
}
