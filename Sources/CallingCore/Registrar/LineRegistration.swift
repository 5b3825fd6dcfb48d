import Foundation

/// What a successful registration answered: the registration and the timers the server assigned.
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
        var callKeepaliveInterval: Duration?
        var rehomingIntervalMin: Int?
        var rehomingIntervalMax: Int?
        var voicePortalNumber: Int?
        var voicePortalExtension: Int?
        var keepaliveURL: URL?
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
        callKeepaliveInterval: Duration? = nil,
        rehomingIntervalMin: Int? = nil,
        rehomingIntervalMax: Int? = nil,
        voicePortalNumber: Int? = nil,
        voicePortalExtension: Int? = nil
    ) {
        box = Box(
            Fields(
                device: device, sipAddresses: sipAddresses, lastSeen: lastSeen, keepaliveInterval: keepaliveInterval,
                callKeepaliveInterval: callKeepaliveInterval, rehomingIntervalMin: rehomingIntervalMin,
                rehomingIntervalMax: rehomingIntervalMax, voicePortalNumber: voicePortalNumber,
                voicePortalExtension: voicePortalExtension, keepaliveURL: nil
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

    /// How often calls send their own keepalives, when the server said.
    public var callKeepaliveInterval: Duration? {
        get { box.fields.callKeepaliveInterval }
        set { update { $0.callKeepaliveInterval = newValue } }
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

    /// The voicemail portal number, when the server said.
    public var voicePortalNumber: Int? {
        get { box.fields.voicePortalNumber }
        set { update { $0.voicePortalNumber = newValue } }
    }

    /// The voicemail portal extension, when the server said.
    public var voicePortalExtension: Int? {
        get { box.fields.voicePortalExtension }
        set { update { $0.voicePortalExtension = newValue } }
    }

    /// Where the registrar sends keepalives, worked out once at registration (Mobius:
    /// `{device.uri}/status`) rather than on every keepalive.
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
