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
        var sipAddresses: [String]
        var lastSeen: Date?
        var keepaliveInterval: Duration
        var rehomingIntervalMin: Int?
        var rehomingIntervalMax: Int?
        var details: (any RegistrationDetails)?
        var keepaliveURL: URL?

        static func == (lhs: Fields, rhs: Fields) -> Bool {
            lhs.device == rhs.device && lhs.sipAddresses == rhs.sipAddresses && lhs.lastSeen == rhs.lastSeen
                && lhs.keepaliveInterval == rhs.keepaliveInterval && lhs.rehomingIntervalMin == rhs.rehomingIntervalMin
                && lhs.rehomingIntervalMax == rhs.rehomingIntervalMax && sameDetails(lhs.details, rhs.details)
                && lhs.keepaliveURL == rhs.keepaliveURL
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
    public init(
        device: RegisteredDevice,
        sipAddresses: [String] = [],
        lastSeen: Date? = nil,
        keepaliveInterval: Duration,
        rehomingIntervalMin: Int? = nil,
        rehomingIntervalMax: Int? = nil,
        details: (any RegistrationDetails)? = nil
    ) {
        box = Box(
            Fields(
                device: device, sipAddresses: sipAddresses, lastSeen: lastSeen, keepaliveInterval: keepaliveInterval,
                rehomingIntervalMin: rehomingIntervalMin, rehomingIntervalMax: rehomingIntervalMax, details: details,
                keepaliveURL: nil
            )
        )
    }

    /// The registration at the server.
    public var device: RegisteredDevice {
        get { box.fields.device }
        set { update { $0.device = newValue } }
    }

    /// The line's SIP addresses.
    public var sipAddresses: [String] {
        get { box.fields.sipAddresses }
        set { update { $0.sipAddresses = newValue } }
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

    /// The shortest wait before trying to move back from a backup to a primary, in minutes.
    public var rehomingIntervalMin: Int? {
        get { box.fields.rehomingIntervalMin }
        set { update { $0.rehomingIntervalMin = newValue } }
    }

    /// The longest such wait, in minutes.
    public var rehomingIntervalMax: Int? {
        get { box.fields.rehomingIntervalMax }
        set { update { $0.rehomingIntervalMax = newValue } }
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

    /// Where the registrar sends keepalives, worked out once at registration rather than on
    /// every keepalive (a registrar's own use; not part of the public interface).
    package var keepaliveURL: URL? {
        get { box.fields.keepaliveURL }
        set { update { $0.keepaliveURL = newValue } }
    }

    /// Compares the fields, not the boxes.
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
