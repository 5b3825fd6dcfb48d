import Foundation

/// A snapshot of a line: what the app configured and what the last registration answered.
public struct LineInfo: Sendable, Equatable {
    /// The line's client-side id.
    public var lineID: UUID
    /// The registration's device id at the server, while registered.
    public var mobiusDeviceID: String?
    /// The phone number from ``LineOptions``.
    public var phoneNumber: String?
    /// The extension from ``LineOptions``.
    public var `extension`: String?
    /// The voicemail number from ``LineOptions``.
    public var voicemail: String?
    /// Whether the line is registered.
    public var status: LineStatus
    /// The line's SIP addresses, from the registration.
    public var sipAddresses: [String]
    /// When the server last saw the device, from the registration.
    public var lastSeen: Date?
    /// The keepalive interval the server assigned.
    public var keepaliveInterval: Duration?
    /// The call keepalive interval the server assigned.
    public var callKeepaliveInterval: Duration?
    /// The shortest rehoming wait, in minutes.
    public var rehomingIntervalMin: Int?
    /// The longest rehoming wait, in minutes.
    public var rehomingIntervalMax: Int?
    /// The voicemail portal number.
    public var voicePortalNumber: String?
    /// The voicemail portal extension.
    public var voicePortalExtension: String?
    /// The server the line is registered with, while registered.
    public var server: RegistrarServer?
    /// Whether that server is a backup (the line then tries to move back to a primary).
    public var isOnBackup: Bool

    /// An unregistered line with the app's options.
    package init(lineID: UUID, options: LineOptions) {
        self.lineID = lineID
        phoneNumber = options.phoneNumber
        self.extension = options.extension
        voicemail = options.voicemail
        status = .inactive
        sipAddresses = []
        isOnBackup = false
    }

    /// The same line with a registration's answer.
    func registered(_ registration: LineRegistration, onBackup: Bool) -> LineInfo {
        var info = self
        info.status = .active
        info.mobiusDeviceID = registration.device.deviceID
        info.sipAddresses = registration.sipAddresses
        info.lastSeen = registration.lastSeen
        info.keepaliveInterval = registration.keepaliveInterval
        info.callKeepaliveInterval = registration.callKeepaliveInterval
        info.rehomingIntervalMin = registration.rehomingIntervalMin
        info.rehomingIntervalMax = registration.rehomingIntervalMax
        info.voicePortalNumber = registration.voicePortalNumber
        info.voicePortalExtension = registration.voicePortalExtension
        info.server = registration.device.server
        info.isOnBackup = onBackup
        return info
    }
}
