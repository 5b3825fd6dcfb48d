import Foundation

/// A registrar's `WWW-Authenticate` or `Proxy-Authenticate` digest challenge (RFC 3261 §22.4,
/// RFC 7616): what to answer it with.
package struct DigestChallenge: Equatable, Sendable {
    /// The hash the challenge names (RFC 8760).
    package enum Algorithm: String, Sendable {
        case md5 = "MD5"
        case sha256 = "SHA-256"
    }

    var realm: String
    var nonce: String
    var opaque: String?
    var algorithm: Algorithm
    /// Whether the registrar asks for `qop=auth` (with `nc` and `cnonce`); false for the legacy
    /// RFC 2069 form.
    var qopAuth: Bool
    /// The last answer failed only because the nonce had expired: answer the same credentials
    /// with the new nonce, and do not count it as a failure.
    var stale: Bool

    /// Longest header value read: a challenge is a few hundred bytes.
    static let maximumLength = 4096

    /// Parses `Digest realm="…", nonce="…", …`; `nil` for another scheme, an unknown algorithm,
    /// a value past ``maximumLength``, or a challenge without realm or nonce.
    package init?(header: String) {
        guard header.utf8.count <= Self.maximumLength else { return nil }
        var rest = Substring(header).drop { $0 == " " }
        guard rest.prefix(6).lowercased() == "digest", rest.dropFirst(6).first == " " else { return nil }
        rest = rest.dropFirst(7)
        var parameters: [String: String] = [:]
        while let parameter = Self.nextParameter(&rest) {
            parameters[parameter.name.lowercased()] = parameter.value
        }
        guard rest.allSatisfy({ $0 == " " || $0 == "," }), let realm = parameters["realm"], let nonce = parameters["nonce"], !nonce.isEmpty
        else { return nil }
        guard let algorithm = Algorithm(rawValue: (parameters["algorithm"] ?? "MD5").uppercased()) else { return nil }
        self.realm = realm
        self.nonce = nonce
        self.opaque = parameters["opaque"]
        self.algorithm = algorithm
        self.qopAuth = parameters["qop"].map { $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "auth" } } ?? false
        self.stale = parameters["stale"]?.lowercased() == "true"
    }

    /// `name=value` or `name="quoted value"` (with `\"` escapes), then an optional comma.
    private static func nextParameter(_ text: inout Substring) -> (name: String, value: String)? {
        text = text.drop { $0 == " " || $0 == "," }
        guard let equals = text.firstIndex(of: "="), !text[..<equals].isEmpty,
            text[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { return nil }
        let name = String(text[..<equals])
        text = text[text.index(after: equals)...]
        var value = ""
        if text.first == "\"" {
            text = text.dropFirst()
            var escaped = false
            while let character = text.popFirst() {
                if escaped {
                    value.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    return (name, value)
                } else {
                    value.append(character)
                }
            }
            return nil
        }
        let end = text.firstIndex { $0 == "," || $0 == " " } ?? text.endIndex
        value = String(text[..<end])
        text = text[end...]
        return value.isEmpty ? nil : (name, value)
    }
}
