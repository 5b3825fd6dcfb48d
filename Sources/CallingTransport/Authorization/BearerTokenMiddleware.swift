import Foundation

/// Authenticates requests with `Authorization: Bearer <token>` from an ``AccessTokenProvider``.
///
/// On a 401 answer it asks the provider for a fresh token once and sends the request once more;
/// a second 401 is returned to the caller. It refuses to send a token over plain `http` unless the
/// host is a loopback address (the emulator, tests), throwing ``TransportError/Code/insecureDestination``
/// before anything is sent.
public struct BearerTokenMiddleware: Middleware {
    private let provider: any AccessTokenProvider

    /// Creates the middleware.
    ///
    /// - Parameter provider: Where tokens come from.
    public init(provider: any AccessTokenProvider) {
        self.provider = provider
    }

    /// Adds the token, and on 401 refreshes it and retries once.
    public func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        try CredentialDestination.check(request.url, carrying: "an access token")
        var request = request
        let token = try await provider.accessToken()
        request.headers["Authorization"] = "Bearer \(token.value)"
        let response = try await next(request)
        guard response.status == 401 else {
            return response
        }
        let fresh = try await provider.refreshedAccessToken(replacing: token)
        request.headers["Authorization"] = "Bearer \(fresh.value)"
        return try await next(request)
    }
}
