/// An HTTP request method.
///
/// A struct rather than an enum so that a transport can carry any method a server understands,
/// while the common ones read as `.get`, `.post`, and so on.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token as it appears on the request line, for example `"POST"`.
    public let rawValue: String

    /// Creates a method from its token, upper-cased as HTTP expects.
    public init(rawValue: String) {
        self.rawValue = rawValue.uppercased()
    }

    /// `GET`
    public static let get = HTTPMethod(rawValue: "GET")
    /// `POST`
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `HEAD`
    public static let head = HTTPMethod(rawValue: "HEAD")

    /// The method token.
    public var description: String { rawValue }
}
