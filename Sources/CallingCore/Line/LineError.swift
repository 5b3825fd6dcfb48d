/// Why a line is not registered, as Webex documents it: `{status, type, msg}`, plus what we
/// add for diagnosis in fields of their own.
///
/// ``status``, ``type`` and ``msg`` are the documented object: for the three documented errors
/// exactly Webex's strings (`registrationError` "Device limit exceeded. The user already logged in
/// to a different device.", `registrationError` "Device not found.", `tokenError` "Token expired.
/// Authentication/Authorization error."), for the others a `type` of the same family and a short
/// fixed sentence. ``code`` tells every failure apart. ``detail`` says what happened here and
/// what to do; ``host``, ``httpStatus``, ``mobiusErrorCode`` and ``trackingID`` are for support
/// requests. None of them ever holds a token or secret. It encodes to the documented JSON with
/// those fields beside it.
public struct LineError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// What kind of failure this was (PROTOCOL.md §4's classification).
    ///
    /// A struct rather than an enum, so that new kinds can be added without breaking callers.
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

        /// The code named `name` (for example `token_error`), if there is one.
        public init?(name: String) {
            guard let wrapped = Wrapped(rawValue: name) else { return nil }
            self.init(wrapped)
        }

        /// The server refused the request as malformed (400).
        public static let badRequest = Code(.badRequest)
        /// The access token was refused even after a refresh (401), or only a new login can help.
        public static let tokenError = Code(.tokenError)
        /// The user may not register (403): not enabled for calling, or a device limit that
        /// could not be resolved (``LineError/mobiusErrorCode`` 101).
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
        /// detail says what may still be registered at the server until it expires there.
        public static let deregistrationIncomplete = Code(.deregistrationIncomplete)
        /// Any other failure, the network included.
        public static let defaultError = Code(.defaultError)

        /// The code's name, for example `token_error`.
        public var description: String { wrapped.rawValue }
    }

    /// What kind of failure this was.
    public var code: Code
    /// What happened here and what to do, in a sentence of ours.
    public var detail: String
    /// The server that answered (or did not), when there was one.
    public var host: String?
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// Mobius's `errorCode` (101: device limit, 102: user not enabled), when it sent one.
    public var mobiusErrorCode: Int?
    /// The server's tracking id, when it sent one.
    public var trackingID: String?

    /// Creates an error.
    public init(
        code: Code,
        detail: String,
        host: String? = nil,
        httpStatus: Int? = nil,
        mobiusErrorCode: Int? = nil,
        trackingID: String? = nil
    ) {
        self.code = code
        self.detail = detail
        self.host = host
        self.httpStatus = httpStatus
        self.mobiusErrorCode = mobiusErrorCode
        self.trackingID = trackingID
    }

    /// Always `inactive`: a line with an error is not registered.
    public var status: String { "inactive" }

    /// The documented type: `registrationError`, `tokenError`, `serviceUnavailable`, …
    public var type: String {
        switch code {
        case .tokenError: "tokenError"
        case .badRequest, .forbidden, .notFound, .sessionSuperseded: "registrationError"
        case .tooManyRequests: "tooManyRequests"
        case .serverError: "serverError"
        case .serviceUnavailable: "serviceUnavailable"
        case .deregistrationIncomplete: "deregistrationError"
        default: "defaultError"
        }
    }

    /// The documented message: a fixed sentence per kind of failure.
    public var msg: String {
        switch code {
        case .tokenError: "Token expired. Authentication/Authorization error."
        case .notFound: "Device not found."
        case .forbidden where mobiusErrorCode == 101: "Device limit exceeded. The user already logged in to a different device."
        case .forbidden: "Registration forbidden. The user may not register this line."
        case .badRequest: "Registration request rejected as malformed."
        case .sessionSuperseded: "Registration taken over by another session."
        case .tooManyRequests: "Too many requests. Retrying later."
        case .serverError: "Server error."
        case .serviceUnavailable: "Service unavailable."
        case .deregistrationIncomplete: "Deregistration did not finish; the registration expires at the server."
        default: "Unknown error."
        }
    }

    /// Code and detail, then the diagnostic fields that are set.
    public var description: String {
        var context: [String] = []
        if let httpStatus {
            context.append("HTTP \(httpStatus)")
        }
        if let mobiusErrorCode {
            context.append("errorCode \(mobiusErrorCode)")
        }
        if let trackingID {
            context.append("trackingId \(trackingID)")
        }
        return "\(code): \(detail)" + (context.isEmpty ? "" : " (\(context.joined(separator: ", ")))")
    }

    private enum CodingKeys: String, CodingKey {
        case status, type, msg, code, detail, host, httpStatus, errorCode, trackingId
    }

    /// Decodes the object ``encode(to:)`` writes; `status`, `type` and `msg` follow from the code.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .code)
        guard let code = Code(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .code, in: container, debugDescription: "unknown line error code \(name)")
        }
        self.init(
            code: code,
            detail: try container.decode(String.self, forKey: .detail),
            host: try container.decodeIfPresent(String.self, forKey: .host),
            httpStatus: try container.decodeIfPresent(Int.self, forKey: .httpStatus),
            mobiusErrorCode: try container.decodeIfPresent(Int.self, forKey: .errorCode),
            trackingID: try container.decodeIfPresent(String.self, forKey: .trackingId)
        )
    }

    /// The documented `{status, type, msg}` with `code`, `detail` and the diagnostic fields that
    /// are set (`host`, `httpStatus`, `errorCode`, `trackingId`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(type, forKey: .type)
        try container.encode(msg, forKey: .msg)
        try container.encode(code.description, forKey: .code)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(host, forKey: .host)
        try container.encodeIfPresent(httpStatus, forKey: .httpStatus)
        try container.encodeIfPresent(mobiusErrorCode, forKey: .errorCode)
        try container.encodeIfPresent(trackingID, forKey: .trackingId)
    }
}
