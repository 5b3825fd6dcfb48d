import CallingTransport

/// One request as read off a connection, before it is turned into an ``HTTPRequest``.
package struct ParsedRequest: Sendable, Equatable {
    /// The method token, for example `POST`.
    package var method: String
    /// The request target in origin form: path and optional query, for example `/v1/region?x=1`.
    package var target: String
    /// The minor HTTP version: `1` for HTTP/1.1, `0` for HTTP/1.0.
    package var minorVersion: Int
    /// The header fields in order.
    package var headers: HTTPHeaders
    /// The body bytes (`Content-Length` of them).
    package var body: [UInt8]

    /// Whether the connection stays open after the response (HTTP/1.1 default, `Connection` header).
    package var keepAlive: Bool {
        let connection = headers["Connection"]?.lowercased() ?? ""
        return minorVersion >= 1 ? connection != "close" : connection == "keep-alive"
    }
}
