import CallingTransport

/// Proof Key for Code Exchange (RFC 7636) with the S256 method, and random `state` values.
package enum PKCE {
    /// A new code verifier: 32 bytes from the system CSPRNG, base64url-encoded (43 characters).
    package static func makeVerifier() -> Secret {
        Secret(randomToken())
    }

    /// The S256 challenge for a verifier: base64url(SHA-256(verifier)).
    package static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(Array(verifier.utf8)))
    }

    /// 256 bits from the system CSPRNG (`getrandom` on Linux, `arc4random` on Apple platforms),
    /// base64url-encoded: 43 characters, fit for `state` and verifiers.
    package static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(bytes)
    }
}
