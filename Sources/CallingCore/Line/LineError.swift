/// Why a line is not registered, as Webex documents it: `{status, type, msg}`, plus what we
/// add for diagnosis in fields of their own.
///
/// ``status``, ``type`` and ``msg`` are the documented object: for the three documented errors
/// exactly Webex's strings (`registrationError` "Device limit exceeded. The user already logged in
/// to a different device.", `registrationError` "Device not found.", `tokenError` "Token expired.
/// Authentication/Authorization error."), for the others a `type` of the same family and a short
/// fixed sentence. ``code`` tells every failure apart. ``detail`` says what happened here and
/// what to do; ``metadata`` holds what the backend adds for support requests (a registrar over
/// HTTP puts the host, status and tracking id there), and ``cause`` the error underneath, if
/// any. None of them ever holds a token or secret. It encodes to the documented JSON with
/// `code`, `detail` and the metadata beside it.
public struct LineError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// What kind of failure this was: the classification every registrar maps its answers onto.
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
            case deviceLimitExceeded = "device_limit_exceeded"
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
        /// The user may not register (403), for example not enabled for calling.
        public static let forbidden = Code(.forbidden)
        /// The user has too many devices and the line could not take one's place: the listed
        /// device could not be removed, or the server still counted too many afterwards.
        public static let deviceLimitExceeded = Code(.deviceLimitExceeded)
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

    /// A value a backend adds for diagnosis: text or a whole number.
    public enum Value: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        /// Text.
        case text(String)
        /// A whole number.
        case number(Int)

        /// A text value.
        public init(stringLiteral value: String) {
            self = .text(value)
        }

        /// A number value.
        public init(integerLiteral value: Int) {
            self = .number(value)
        }

        /// Decodes a JSON string or number.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        /// Encodes a JSON string or number.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            }
        }

        /// The value as text.
        public var description: String {
            switch self {
            case .text(let text): text
            case .number(let number): String(number)
            }
        }

        /// The number, when it is one.
        public var number: Int? {
            if case .number(let number) = self { return number }
            return nil
        }
    }

    /// What kind of failure this was.
    public var code: Code
    /// What happened here and what to do, in a sentence of ours.
    public var detail: String
    /// What the backend adds for diagnosis, by name (for example `host`, `httpStatus`,
    /// `trackingId`); encoded beside the documented fields.
    public var metadata: [String: Value]
    /// The error underneath, when there is one (a transport's, a token provider's).
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, detail: String, metadata: [String: Value] = [:], cause: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.metadata = metadata
        self.cause = cause
    }

    /// Code, detail and metadata; the cause is not compared.
    public static func == (lhs: LineError, rhs: LineError) -> Bool {
        lhs.code == rhs.code && lhs.detail == rhs.detail && lhs.metadata == rhs.metadata
    }

    /// Always `inactive`: a line with an error is not registered.
    public var status: String { "inactive" }

    /// The documented type: `registrationError`, `tokenError`, `serviceUnavailable`, …
    public var type: String {
        switch code {
        case .tokenError: "tokenError"
        case .badRequest, .forbidden, .deviceLimitExceeded, .notFound, .sessionSuperseded: "registrationError"
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
        case .deviceLimitExceeded: "Device limit exceeded. The user already logged in to a different device."
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

    /// Code and detail, then the metadata, sorted by name.
    public var description: String {
        let context = metadata.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "\(code): \(detail)" + (context.isEmpty ? "" : " (\(context.joined(separator: ", ")))")
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) {
            stringValue = name
        }

        init?(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }

        static let documented: Set<String> = ["status", "type", "msg", "code", "detail"]
    }

    /// Decodes the object ``encode(to:)`` writes; `status`, `type` and `msg` follow from the code,
    /// and every other field is metadata.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let name = try container.decode(String.self, forKey: Key("code"))
        guard let code = Code(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: Key("code"), in: container, debugDescription: "unknown line error code \(name)")
        }
        var metadata: [String: Value] = [:]
        for key in container.allKeys where !Key.documented.contains(key.stringValue) {
            metadata[key.stringValue] = try container.decode(Value.self, forKey: key)
        }
        self.init(code: code, detail: try container.decode(String.self, forKey: Key("detail")), metadata: metadata)
    }

    /// The documented `{status, type, msg}` with `code`, `detail` and the metadata beside them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(status, forKey: Key("status"))
        try container.encode(type, forKey: Key("type"))
        try container.encode(msg, forKey: Key("msg"))
        try container.encode(code.description, forKey: Key("code"))
        try container.encode(detail, forKey: Key("detail"))
        for (name, value) in metadata where !Key.documented.contains(name) {
            try container.encode(value, forKey: Key(name))
        }
    }
}
