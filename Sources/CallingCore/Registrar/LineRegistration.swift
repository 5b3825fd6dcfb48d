import Foundation

/// What a successful registration answered: the registration and the timers the server assigned.
public struct LineRegistration: Sendable, Equatable {
    /// The registration at the server.
    public var device: RegisteredDevice
    /// The line's SIP addresses.
    public var sipAddresses: [String]
    /// When the server last saw the device.
    public var lastSeen: Date?
    /// How often to send keepalives.
    public var keepaliveInterval: Duration
    /// How often calls send their own keepalives, when the server said.
    public var callKeepaliveInterval: Duration?
    /// The shortest wait before trying to move back from a backup to a primary, in minutes.
    public var rehomingIntervalMin: Int?
    /// The longest such wait, in minutes.
    public var rehomingIntervalMax: Int?
    /// The voicemail portal number, when the server said.
    public var voicePortalNumber: String?
    /// The voicemail portal extension, when the server said.
    public var voicePortalExtension: String?
    /// Where the registrar sends keepalives, worked out once at registration (Mobius:
    /// `{device.uri}/status`) rather than on every keepalive.
    package var keepaliveURL: URL?

    /// Creates a registration.
    public init(
        device: RegisteredDevice,
        sipAddresses: [String] = [],
        lastSeen: Date? = nil,
        keepaliveInterval: Duration,
        callKeepaliveInterval: Duration? = nil,
        rehomingIntervalMin: Int? = nil,
        rehomingIntervalMax: Int? = nil,
        voicePortalNumber: String? = nil,
        voicePortalExtension: String? = nil
    ) {
        self.device = device
        self.sipAddresses = sipAddresses
        self.lastSeen = lastSeen
        self.keepaliveInterval = keepaliveInterval
        self.callKeepaliveInterval = callKeepaliveInterval
        self.rehomingIntervalMin = rehomingIntervalMin
        self.rehomingIntervalMax = rehomingIntervalMax
        self.voicePortalNumber = voicePortalNumber
        self.voicePortalExtension = voicePortalExtension
    }
}
