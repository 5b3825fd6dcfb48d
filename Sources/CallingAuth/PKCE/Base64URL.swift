import Foundation

/// Base64url without padding (RFC 4648 §5), as PKCE and `state` values use it.
package enum Base64URL {
    /// Encodes bytes: `+` becomes `-`, `/` becomes `_`, and `=` padding is dropped.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
