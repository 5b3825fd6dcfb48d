import Foundation

/// An HTTP request as the package's transports and middlewares see it.
///
/// The package owns this type so that custom transports need neither URLSession nor any other
/// HTTP library. Its `description` names the method and URL (without the query, which may carry
/// an authorization code) and the body size, never credentials.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute URL of the resource.
    public var url: URL
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body, or `nil` for a request without one.
    public var body: Data?

    /// Creates a request.
    public init(method: HTTPMethod, url: URL, headers: HTTPHeaders = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The method, the shown URL, and the body size.
    public var description: String {
        "\(method) \(shownURL) (\(body?.count ?? 0) body bytes)"
    }

    /// The URL without its query (which may carry an authorization code) and without a user or
    /// password: what descriptions and logs show.
    public var shownURL: String {
        var shown = URLComponents(url: url, resolvingAgainstBaseURL: false)
        shown?.query = nil
        shown?.fragment = nil
        shown?.user = nil
        shown?.password = nil
        return shown?.string ?? url.path
    }
}
