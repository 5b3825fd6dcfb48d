import Foundation

/// The one rule for where a credential may be sent: over `https` anywhere, over plain `http`
/// only to this machine (the emulator, tests).
package enum CredentialDestination {
    /// Throws unless `url` is `https`, or `http` to a loopback host.
    ///
    /// - Parameters:
    ///   - url: Where the credential would go.
    ///   - credential: What it is, for the message: "an access token", "the client secret".
    /// - Throws: ``TransportError`` with code ``TransportError/Code/insecureDestination``.
    package static func check(_ url: URL, carrying credential: String) throws {
        if url.scheme == "https" {
            return
        }
        let scheme = url.scheme?.lowercased()
        let host = url.host ?? ""
        if scheme == "https" || (scheme == "http" && isLoopback(host)) {
            return
        }
        throw TransportError(
            code: .insecureDestination, host: host,
            message: "refusing to send \(credential) to \(scheme ?? "a relative URL")://\(host): use https, or a loopback address for local testing"
        )
    }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
    package static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" {
            return true
        }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
