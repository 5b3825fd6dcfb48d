import Foundation

/// Authenticates requests with `Authorization: Bearer <token>` from an ``AccessTokenProvider``.
///
/// On a 401 answer it asks the provider for a fresh token once and sends the request once more;
/// a second 401 is returned to the caller. It refuses to send a token over plain `http` unless the
/// host is a loopback address (the emulator, tests), throwing ``TransportError/Code/insecureDestination``
/// before anything is sent.
public struct BearerTokenMiddleware: Middleware {
    private let provider: any AccessTokenProvider
    /// The last header built, reused while the token stays the same: a client sends thousands of
    /// requests per token, and building the header is an allocation each.
    private let lastHeader = Locked<(token: String, header: String)?>(nil)

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
        request.headers["Authorization"] = header(for: token)
        let response = try await next(request)
        guard response.status == 401 else {
            return response
        }
        let fresh = try await provider.refreshedAccessToken(replacing: token)
        request.headers["Authorization"] = header(for: fresh)
        return try await next(request)
    }

    private func header(for token: Secret) -> String {
        lastHeader.withLock { last in
            if let last, last.token == token.value {
                return last.header
            }
            var header = "Bearer "
            header.reserveCapacity(header.utf8.count + token.value.utf8.count)
            header += token.value
            last = (token.value, header)
            return header
        }
    }
}
