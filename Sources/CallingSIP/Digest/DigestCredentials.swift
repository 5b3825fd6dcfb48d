import CallingTransport
import Foundation

/// A SIP user's digest credentials, and the answer to a registrar's challenge with them
/// (RFC 3261 §22.4, RFC 7616 §3.4 with `qop=auth`, RFC 2069's legacy form without).
///
/// The password is a `Secret`: its description is `<redacted>`, and it never appears in an
/// answer, only its hash does.
struct DigestCredentials: Sendable {
    var username: String
    var password: Secret

    /// The `Authorization` (or `Proxy-Authorization`) value answering `challenge` for `method`
    /// on `uri` (the Request-URI exactly as sent). `nonceCount` counts the answers to this
    /// nonce, from 1; `cnonce` is the client's nonce for it.
    func answer(_ challenge: DigestChallenge, method: String, uri: String, nonceCount: UInt32, cnonce: String) -> String {
        let hash: (String) -> String = { text in
            let bytes = Array(text.utf8)
            let digest = challenge.algorithm == .sha256 ? SHA256.hash(bytes) : MD5.hash(bytes)
            return digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
        let ha1 = hash("\(username):\(challenge.realm):\(password.value)")
        let ha2 = hash("\(method):\(uri)")
        let count = String(nonceCount, radix: 16).leftPadded(to: 8)
        let response = challenge.qopAuth
            ? hash("\(ha1):\(challenge.nonce):\(count):\(cnonce):auth:\(ha2)")
            : hash("\(ha1):\(challenge.nonce):\(ha2)")
        var fields = [
            "username=\(Self.quoted(username))", "realm=\(Self.quoted(challenge.realm))", "nonce=\(Self.quoted(challenge.nonce))",
            "uri=\(Self.quoted(uri))", "response=\(Self.quoted(response))", "algorithm=\(challenge.algorithm.rawValue)",
        ]
        if challenge.qopAuth {
            fields += ["qop=auth", "nc=\(count)", "cnonce=\(Self.quoted(cnonce))"]
        }
        if let opaque = challenge.opaque {
            fields.append("opaque=\(Self.quoted(opaque))")
        }
        return "Digest " + fields.joined(separator: ", ")
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
