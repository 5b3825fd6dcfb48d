/// A credential: a token, a client secret, an authorization code, a PKCE verifier.
///
/// Its `description`, `debugDescription` and mirror show `<redacted>`, so a secret that ends up in
/// string interpolation, `print`, `dump` or an error message does not leak. Read ``value`` only
/// where the credential goes on the wire or to disk.
public struct Secret: Sendable, Hashable, Codable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// The credential itself.
    public let value: String

    /// Wraps a credential.
    public init(_ value: String) {
        self.value = value
    }

    /// Decodes a credential stored as a plain string.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the credential as a plain string (for token files, which are private to the user).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror with no children, so `dump` shows nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
