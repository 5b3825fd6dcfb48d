import Foundation

/// An HTTP response as the package's transports and middlewares see it.
public struct HTTPResponse: Sendable, CustomStringConvertible {
    /// The status code, for example `200`.
    public var status: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body; empty when the response has none.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The status and the body size; never the body, which may hold tokens.
    public var description: String {
        "HTTP \(status) (\(body.count) body bytes)"
    }
}
