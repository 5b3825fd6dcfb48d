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

    /// Why a fault cannot be injected, in a sentence that says what is allowed.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// What is wrong and what is allowed.
        public let description: String
    }

    /// The most answers one fault may script.
    public static let maximumCount = 1000

    /// Checks that the fault can go on the wire `count` times: a status from 100 to 599, a
    /// count from 1 to ``maximumCount``, a `Retry-After` of 1 to 64 visible ASCII characters.
    public func validate(count: Int) throws(Invalid) {
        guard (100...599).contains(status) else { throw Invalid(description: "the status must be from 100 to 599, not \(status)") }
        guard (1...Self.maximumCount).contains(count) else {
            throw Invalid(description: "the count must be from 1 to \(Self.maximumCount), not \(count)")
        }
        if let retryAfter {
            guard (1...64).contains(retryAfter.utf8.count), retryAfter.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw Invalid(description: "Retry-After must be 1 to 64 visible characters (seconds or an HTTP date)")
            }
        }
    }

    /// Parses `STATUS[xCOUNT][@RETRY_AFTER]` (`503`, `503x2`, `429@20`), checked as
    /// ``validate(count:)`` checks.
    public static func parse(_ spec: String) throws(Invalid) -> (fault: EmulatorFault, count: Int) {
        let usage = Invalid(description: "expected STATUS[xCOUNT][@RETRY_AFTER], for example 503x2 or 429@20, not '\(spec.prefix(40))'")
        let (head, retryAfter) = spec.firstIndex(of: "@").map { (spec[..<$0], Optional(String(spec[spec.index(after: $0)...]))) } ?? (spec[...], nil)
        let (statusText, countText) = head.firstIndex(of: "x").map { (head[..<$0], Optional(head[head.index(after: $0)...])) } ?? (head, nil)
        guard let status = Int(statusText), statusText.allSatisfy(\.isNumber) else { throw usage }
        var count = 1
        if let countText {
            guard countText.count <= 9, countText.allSatisfy(\.isNumber), let number = Int(countText) else { throw usage }
            count = number
        }
        let fault = EmulatorFault(status: status, retryAfter: retryAfter)
        try fault.validate(count: count)
        return (fault, count)
    }
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
