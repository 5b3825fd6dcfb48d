/// Why a line is not registered: `{status, type, message}` as Webex documents it.
///
/// ``code`` is the documented `type` (`token_error`, `service_unavailable`, …). The message says
/// what went wrong and what to do; ``trackingID`` is the server's, for support requests.
public struct LineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The documented error type.
    ///
    /// A struct rather than an enum, so that new types can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case badRequest = "bad_request"
            case tokenError = "token_error"
            case forbidden
            case notFound = "not_found"
            case tooManyRequests = "too_many_requests"
            case serverError = "server_error"
            case serviceUnavailable = "service_unavailable"
            case sessionSuperseded = "session_superseded"
            case deregistrationIncomplete = "deregistration_incomplete"
            case defaultError = "default_error"
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The server refused the request as malformed (400).
        public static let badRequest = Code(.badRequest)
        /// The access token was refused even after a refresh (401).
        public static let tokenError = Code(.tokenError)
        /// The user may not register (403), for example not enabled for calling.
        public static let forbidden = Code(.forbidden)
        /// The registration or device does not exist (404).
        public static let notFound = Code(.notFound)
        /// The server asked to slow down (429).
        public static let tooManyRequests = Code(.tooManyRequests)
        /// The server failed (500).
        public static let serverError = Code(.serverError)
        /// The service is unavailable (503), or every server failed.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// Another session took this registration over (409 on a keepalive): the line stops
        /// rather than take it back, so two clients never ping-pong one registration.
        public static let sessionSuperseded = Code(.sessionSuperseded)
        /// A graceful shutdown ran out of time before the line's registration was removed; the
        /// message says what may still be registered at the server until it expires there.
        public static let deregistrationIncomplete = Code(.deregistrationIncomplete)
        /// Any other failure, the network included.
        public static let defaultError = Code(.defaultError)

        /// The documented type string, for example `token_error`.
        public var description: String { wrapped.rawValue }
    }

    /// The documented error type.
    public var code: Code
    /// What went wrong and what to do.
    public var message: String
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// The server's tracking id, when it sent one.
    public var trackingID: String?

    /// Creates an error.
    public init(code: Code, message: String, httpStatus: Int? = nil, trackingID: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.trackingID = trackingID
    }

    /// Always `inactive`: a line with an error is not registered.
    public var status: String { "inactive" }

    /// The documented type, for example `token_error`.
    public var type: String { code.description }

    /// Type, message and tracking id.
    public var description: String {
        "\(code): \(message)" + (trackingID.map { " (trackingId \($0))" } ?? "")
    }
}
