/// A request that got no HTTP response: the server could not be reached, or the exchange failed.
///
/// The message names the host and says what to check. It never contains the request's query,
/// headers or body.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was.
    ///
    /// A struct rather than an enum, so that new kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case connectionRefused = "connection refused"
            case timedOut = "timed out"
            case hostNotFound = "host not found"
            case tlsFailed = "TLS failed"
            case connectionLost = "connection lost"
            case cancelled
            case insecureDestination = "insecure destination"
            case badResponse = "bad response"
            case responseTooLarge = "response too large"
            case other
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Nothing listens at the host and port.
        public static let connectionRefused = Code(.connectionRefused)
        /// No answer arrived within the transport's time limit.
        public static let timedOut = Code(.timedOut)
        /// The host name did not resolve.
        public static let hostNotFound = Code(.hostNotFound)
        /// The TLS handshake failed: the server's certificate was refused, or the server does
        /// not speak TLS at that port.
        public static let tlsFailed = Code(.tlsFailed)
        /// The connection closed before the response was complete.
        public static let connectionLost = Code(.connectionLost)
        /// The request was cancelled.
        public static let cancelled = Code(.cancelled)
        /// A credential would have gone over plain HTTP to a host that is not loopback.
        public static let insecureDestination = Code(.insecureDestination)
        /// The server answered with something that is not a usable HTTP response.
        public static let badResponse = Code(.badResponse)
        /// The response body was longer than the transport accepts; it was refused as soon as it
        /// passed the limit, not buffered.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Any other failure; the message says more.
        public static let other = Code(.other)

        /// A short name for the code, for example `"connection refused"`.
        public var description: String { wrapped.rawValue }
    }

    /// What kind of failure this was.
    public var code: Code
    /// The host the request was for.
    public var host: String
    /// What happened and what to check.
    public var message: String

    /// Creates an error.
    public init(code: Code, host: String, message: String) {
        self.code = code
        self.host = host
        self.message = message
    }

    /// A body longer than `limit` bytes from `host`, in the words every transport uses.
    public static func responseTooLarge(host: String, port: Int?, limit: Int) -> TransportError {
        let address = port.map { "\(host):\($0)" } ?? host
        return TransportError(
            code: .responseTooLarge, host: host,
            message: "the answer from \(address) was longer than \(limit) bytes, more than any Webex answer; check the URL, or raise the transport's maxResponseBytes"
        )
    }

    /// The code, host and message.
    public var description: String {
        "\(code) (\(host)): \(message)"
    }
}
