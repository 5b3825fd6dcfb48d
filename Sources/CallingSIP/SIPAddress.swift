/// A SIP address of record or registrar, `sip:user@host:port` (RFC 3261 §19.1), as far as a
/// registering line needs one: scheme `sip`, an optional user, a host and a port.
///
/// Parameters and headers (`;transport=tcp`, `?subject=…`) are not part of what a line registers
/// and are refused rather than silently dropped; the transport is chosen in the configuration.
public struct SIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The user part (`alice`), empty for a registrar's address.
    public var user: String
    /// The host: a name or an IPv4 address.
    public var host: String
    /// The port, when the address names one.
    public var port: UInt16?

    /// Creates an address.
    public init(user: String = "", host: String, port: UInt16? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses `sip:alice@example.com:5060`; `nil` for anything else (another scheme, parameters,
    /// a bad port, characters a SIP user or host may not hold).
    public init?(_ text: String) {
        guard text.utf8.count <= 256, text.hasPrefix("sip:") else { return nil }
        var rest = Substring(text.dropFirst(4))
        var user = ""
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            guard !user.isEmpty, user.unicodeScalars.allSatisfy(Self.isUserCharacter) else { return nil }
        }
        var port: UInt16?
        if let colon = rest.firstIndex(of: ":") {
            guard let number = UInt16(rest[rest.index(after: colon)...]), number > 0 else { return nil }
            port = number
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, rest.unicodeScalars.allSatisfy(Self.isHostCharacter) else { return nil }
        self.init(user: user, host: String(rest), port: port)
    }

    /// `sip:user@host:port`, without the user or port the address does not name.
    public var description: String {
        "sip:" + (user.isEmpty ? "" : "\(user)@") + hostAndPort
    }

    /// `host:port`, or `host` alone.
    public var hostAndPort: String {
        port.map { "\(host):\($0)" } ?? host
    }

    /// Where requests go: the port, or SIP's 5060.
    var effectivePort: UInt16 {
        port ?? 5060
    }

    /// The registrar's address for this user: the same host and port, no user.
    public var domain: SIPAddress {
        SIPAddress(host: host, port: port)
    }

    /// RFC 3261 §25.1 `unreserved` and the user part's extra characters (no escapes).
    private static func isUserCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.!~*'()&=+$,/".unicodeScalars.contains(scalar))
    }

    /// Letters, digits, `-` and `.`: host names and IPv4 addresses.
    private static func isHostCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == ".")
    }
}
