/// A scripted misbehaviour for the next requests to one endpoint.
public struct EmulatorFault: Sendable, Equatable {
    /// The status to answer with.
    public var status: Int
    /// The body to answer with.
    public var body: String
    /// A `Retry-After` header value, if any.
    public var retryAfter: String?

    /// Creates a fault.
    public init(status: Int, body: String = "{}", retryAfter: String? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }

    /// A 200 answer whose body is not JSON.
    public static var malformedBody: EmulatorFault { EmulatorFault(status: 200, body: "{\"not json") }
}

/// How a Mobius server that is down fails.
public struct ServerOutage: Hashable, Sendable, CustomStringConvertible {
    private let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// Connections are refused (over HTTP, the server's listener is closed).
    public static let connectionRefused = ServerOutage("refuse")
    /// Every request is answered 503.
    public static let serviceUnavailable = ServerOutage("503")

    /// `refuse` or `503`, as the admin API takes it.
    public var description: String { name }

    /// The outage called `name` (`refuse` or `503`).
    public init?(name: String) {
        switch name {
        case "refuse": self = .connectionRefused
        case "503": self = .serviceUnavailable
        default: return nil
        }
    }
}
