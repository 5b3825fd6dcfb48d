import CallingTransport
import Foundation

/// Writes an ``HTTPResponse`` as HTTP/1.1 bytes.
package enum HTTPResponseEncoder {
    /// The response's status line, headers, a `Content-Length` computed from the body (replacing
    /// any given), `Connection: close` when the connection ends after it, and the body unless the
    /// request was `HEAD`. A response whose headers are not well formed (CR, LF or NUL in a value,
    /// a name that is not a token) is never written: a 500 saying so goes out instead.
    package static func encode(_ response: HTTPResponse, keepAlive: Bool, includeBody: Bool = true) -> [UInt8] {
        guard response.headers.areWellFormed else {
            let refused = HTTPResponse(
                status: 500, headers: ["Content-Type": "text/plain"],
                body: Data("the handler's response has a header name or value with CR, LF or NUL; it was not sent\n".utf8)
            )
            return encode(refused, keepAlive: false, includeBody: includeBody)
        }
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(for: response.status))\r\n"
        for field in response.headers {
            let name = field.name.lowercased()
            if name == "content-length" || name == "connection" || name == "transfer-encoding" {
                continue
            }
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        if !keepAlive {
            head += "Connection: close\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if includeBody {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    private static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
