import Foundation

/// What a successful registration answered: the registration, the timers the server assigned,
/// and the backend's own facts (``details(as:)``).
///
/// A value type whose fields live in one shared, immutable box: a line, its keepalives and its
/// events each hold the same registration, and every keepalive passes it along, so a copy is
/// one reference rather than a dozen strings, arrays and URLs.
public struct LineRegistration: Sendable, Equatable {
    private struct Fields: Sendable, Equatable {
        var device: RegisteredDevice
        var addresses: [String]
        var lastSeen: Date?
        var keepaliveInterval: Duration
        var rehomingWindow: ClosedRange<Duration>?
        var details: (any RegistrationDetails)?
        var registrarContext: (any Sendable)?

        /// Every field but the registrar's context, which is the registrar's alone.
        static func == (lhs: Fields, rhs: Fields) -> Bool {
            lhs.device == rhs.device && lhs.addresses == rhs.addresses && lhs.lastSeen == rhs.lastSeen
                && lhs.keepaliveInterval == rhs.keepaliveInterval && lhs.rehomingWindow == rhs.rehomingWindow
                && sameDetails(lhs.details, rhs.details)
        }
    }

    private final class Box: Sendable {
        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    private var box: Box

    /// Creates a registration.
    ///
    /// - Parameters:
    ///   - device: The registration at the server.
    ///   - addresses: The addresses the line is reachable at, as the backend names them.
    ///   - lastSeen: When the server last saw the device, if it said.
    ///   - keepaliveInterval: How often to send keepalives.
    ///   - rehomingWindow: How long to stay on a backup before trying a primary again, when the
    ///     server says (a primary's answer sets it for the line; waits are drawn in whole minutes).
    ///   - details: The backend's facts, for the app.
    ///   - registrarContext: The registrar's own value, for its later keepalives.
    public init(
        device: RegisteredDevice,
        addresses: [String] = [],
        lastSeen: Date? = nil,
        keepaliveInterval: Duration,
        rehomingWindow: ClosedRange<Duration>? = nil,
        details: (any RegistrationDetails)? = nil,
        registrarContext: (any Sendable)? = nil
    ) {
        box = Box(
            Fields(
                device: device, addresses: addresses, lastSeen: lastSeen, keepaliveInterval: keepaliveInterval,
                rehomingWindow: rehomingWindow, details: details, registrarContext: registrarContext
            )
        )
    }

    /// The registration at the server.
    public var device: RegisteredDevice {
        get { box.fields.device }
        set { update { $0.device = newValue } }
    }

    /// The addresses the line is reachable at, as the backend names them (SIP URIs for Webex
    /// Calling and SIP).
    public var addresses: [String] {
        get { box.fields.addresses }
        set { update { $0.addresses = newValue } }
    }

    /// When the server last saw the device.
    public var lastSeen: Date? {
        get { box.fields.lastSeen }
        set { update { $0.lastSeen = newValue } }
    }

    /// How often to send keepalives.
    public var keepaliveInterval: Duration {
        get { box.fields.keepaliveInterval }
        set { update { $0.keepaliveInterval = newValue } }
    }

    /// How long to wait on a backup before trying to move back to a primary: a wait is drawn
    /// from this range (in whole minutes). A primary's registration sets it for the line; without
    /// one, the client's configuration applies.
    public var rehomingWindow: ClosedRange<Duration>? {
        get { box.fields.rehomingWindow }
        set { update { $0.rehomingWindow = newValue } }
    }

    /// The backend's own facts about the registration, if it gave any.
    public var details: (any RegistrationDetails)? {
        get { box.fields.details }
        set { update { $0.details = newValue } }
    }

    /// The backend's facts as `type`, when they are of that type.
    public func details<Details: RegistrationDetails>(as type: Details.Type) -> Details? {
        box.fields.details as? Details
    }

    /// The registrar's own value for this registration, handed back with every keepalive: for
    /// example where keepalives go, worked out once at registration rather than on every
    /// keepalive. The core never reads it, and equality ignores it.
    public var registrarContext: (any Sendable)? {
        get { box.fields.registrarContext }
        set { update { $0.registrarContext = newValue } }
    }

    /// Compares the fields (but the registrar's context), not the boxes.
    public static func == (lhs: LineRegistration, rhs: LineRegistration) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// Changes a field in a new box: registrations are written once and then only read.
    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
    }
}
