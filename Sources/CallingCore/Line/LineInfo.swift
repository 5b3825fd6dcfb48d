import Foundation

/// A snapshot of a line: what the app configured and what the last registration answered.
///
/// It encodes to the documented Line object (`lineId`, `mobiusDeviceId`, `phoneNumber`,
/// `extension`, `status`, `sipAddresses`, `voicemail`, `lastSeen` in ISO 8601, the intervals in
/// seconds, `voicePortalNumber`, `voicePortalExtension`), with `server` and `isOnBackup` beside it.
public struct LineInfo: Sendable, Equatable, Codable {
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
    /// `inactive`, `active` or `idle`; see ``Line/status``.
    public var status: LineStatus
    /// The line's SIP addresses, from the registration.
    public var sipAddresses: [String]
    /// The line's last interaction with Webex Calling: the registration's `lastSeen`, then the
    /// time of each successful keepalive.
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
    public var voicePortalNumber: Int?
    /// The voicemail portal extension.
    public var voicePortalExtension: Int?
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

extension LineInfo {
    private enum CodingKeys: String, CodingKey {
        case lineId, mobiusDeviceId, phoneNumber, `extension`, voicemail, status, sipAddresses, lastSeen, keepaliveInterval
        case callKeepaliveInterval, rehomingIntervalMin, rehomingIntervalMax, voicePortalNumber, voicePortalExtension
        case server, isOnBackup
    }

    /// Decodes the object ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let status = try container.decode(String.self, forKey: .status)
        guard let known = LineStatus(name: status) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: container, debugDescription: "unknown line status \(status)")
        }
        func seconds(_ key: CodingKeys) throws -> Duration? {
            try container.decodeIfPresent(Int.self, forKey: key).map { .seconds($0) }
        }
        lineID = try container.decode(UUID.self, forKey: .lineId)
        mobiusDeviceID = try container.decodeIfPresent(String.self, forKey: .mobiusDeviceId)
        phoneNumber = try container.decodeIfPresent(String.self, forKey: .phoneNumber)
        self.extension = try container.decodeIfPresent(String.self, forKey: .extension)
        voicemail = try container.decodeIfPresent(String.self, forKey: .voicemail)
        self.status = known
        sipAddresses = try container.decodeIfPresent([String].self, forKey: .sipAddresses) ?? []
        lastSeen = try container.decodeIfPresent(String.self, forKey: .lastSeen).flatMap { try? Date($0, strategy: .iso8601) }
        keepaliveInterval = try seconds(.keepaliveInterval)
        callKeepaliveInterval = try seconds(.callKeepaliveInterval)
        rehomingIntervalMin = try container.decodeIfPresent(Int.self, forKey: .rehomingIntervalMin)
        rehomingIntervalMax = try container.decodeIfPresent(Int.self, forKey: .rehomingIntervalMax)
        voicePortalNumber = try container.decodeIfPresent(Int.self, forKey: .voicePortalNumber)
        voicePortalExtension = try container.decodeIfPresent(Int.self, forKey: .voicePortalExtension)
        server = try container.decodeIfPresent(String.self, forKey: .server).flatMap(URL.init(string:)).map(RegistrarServer.init)
        isOnBackup = try container.decodeIfPresent(Bool.self, forKey: .isOnBackup) ?? false
    }

    /// The documented Line object; absent values are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lineID, forKey: .lineId)
        try container.encodeIfPresent(mobiusDeviceID, forKey: .mobiusDeviceId)
        try container.encodeIfPresent(phoneNumber, forKey: .phoneNumber)
        try container.encodeIfPresent(self.extension, forKey: .extension)
        try container.encodeIfPresent(voicemail, forKey: .voicemail)
        try container.encode(status.description, forKey: .status)
        try container.encode(sipAddresses, forKey: .sipAddresses)
        try container.encodeIfPresent(lastSeen?.formatted(.iso8601), forKey: .lastSeen)
        try container.encodeIfPresent(keepaliveInterval?.components.seconds, forKey: .keepaliveInterval)
        try container.encodeIfPresent(callKeepaliveInterval?.components.seconds, forKey: .callKeepaliveInterval)
        try container.encodeIfPresent(rehomingIntervalMin, forKey: .rehomingIntervalMin)
        try container.encodeIfPresent(rehomingIntervalMax, forKey: .rehomingIntervalMax)
        try container.encodeIfPresent(voicePortalNumber, forKey: .voicePortalNumber)
        try container.encodeIfPresent(voicePortalExtension, forKey: .voicePortalExtension)
        try container.encodeIfPresent(server?.description, forKey: .server)
        try container.encode(isOnBackup, forKey: .isOnBackup)
    }
}
