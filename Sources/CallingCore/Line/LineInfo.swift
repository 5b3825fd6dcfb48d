import Foundation

/// A snapshot of a line: what the app configured and what the last registration answered.
///
/// The fields every backend has are here; what only one backend knows (Mobius's voice portal
/// numbers, a SIP registrar's contacts) is in ``details(as:)``. For Webex Calling lines,
/// CallingMobius's `info.mobius` is the documented Line object. It encodes with these names
/// (`lineId`, `deviceId`, `lastSeen` in ISO 8601, intervals in seconds); the details are left out.
public struct LineInfo: Sendable, Equatable, Codable {
    /// The line's client-side id.
    public var lineID: UUID
    /// The registration's id at the server, while registered.
    public var deviceID: String?
    /// The phone number from ``LineOptions``.
    public var phoneNumber: String?
    /// The extension from ``LineOptions``.
    public var `extension`: String?
    /// The voicemail number from ``LineOptions``.
    public var voicemail: String?
    /// `inactive`, `active` or `idle`; see ``Line/status``.
    public var status: LineStatus
    /// The addresses the line is reachable at, from the registration.
    public var addresses: [String]
    /// The line's last interaction with its server: the registration's `lastSeen`, then the time
    /// of each successful keepalive.
    public var lastSeen: Date?
    /// The keepalive interval the server assigned.
    public var keepaliveInterval: Duration?
    /// The rehoming window the registration gave: how long the line waits on a backup before
    /// trying a primary again.
    public var rehomingWindow: ClosedRange<Duration>?
    /// The server the line is registered with, while registered.
    public var server: RegistrarServer?
    /// Whether that server is a backup (the line then tries to move back to a primary).
    public var isOnBackup: Bool
    /// The backend's own facts about the registration, while registered.
    public var details: (any RegistrationDetails)?

    /// An unregistered line with the app's options.
    package init(lineID: UUID, options: LineOptions) {
        self.lineID = lineID
        phoneNumber = options.phoneNumber
        self.extension = options.extension
        voicemail = options.voicemail
        status = .inactive
        addresses = []
        isOnBackup = false
    }

    /// The backend's facts as `type`, when they are of that type.
    public func details<Details: RegistrationDetails>(as type: Details.Type) -> Details? {
        details as? Details
    }

    /// The same line with a registration's answer.
    func registered(_ registration: LineRegistration, onBackup: Bool) -> LineInfo {
        var info = self
        info.status = .active
        info.deviceID = registration.device.deviceID
        info.addresses = registration.addresses
        info.lastSeen = registration.lastSeen
        info.keepaliveInterval = registration.keepaliveInterval
        info.rehomingWindow = registration.rehomingWindow
        info.server = registration.device.server
        info.isOnBackup = onBackup
        info.details = registration.details
        return info
    }

    /// Every field, the details by type and value.
    public static func == (lhs: LineInfo, rhs: LineInfo) -> Bool {
        lhs.lineID == rhs.lineID && lhs.deviceID == rhs.deviceID && lhs.phoneNumber == rhs.phoneNumber
            && lhs.extension == rhs.extension && lhs.voicemail == rhs.voicemail && lhs.status == rhs.status
            && lhs.addresses == rhs.addresses && lhs.lastSeen == rhs.lastSeen && lhs.keepaliveInterval == rhs.keepaliveInterval
            && lhs.rehomingWindow == rhs.rehomingWindow
            && lhs.server == rhs.server && lhs.isOnBackup == rhs.isOnBackup && sameDetails(lhs.details, rhs.details)
    }
}

extension LineInfo {
    private enum CodingKeys: String, CodingKey {
        case lineId, deviceId, phoneNumber, `extension`, voicemail, status, addresses, lastSeen, keepaliveInterval
        case rehomingWindowMin, rehomingWindowMax, server, isOnBackup
    }

    /// Decodes the object ``encode(to:)`` writes (without details).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let status = try container.decode(String.self, forKey: .status)
        guard let known = LineStatus(name: status) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: container, debugDescription: "unknown line status \(status)")
        }
        lineID = try container.decode(UUID.self, forKey: .lineId)
        deviceID = try container.decodeIfPresent(String.self, forKey: .deviceId)
        phoneNumber = try container.decodeIfPresent(String.self, forKey: .phoneNumber)
        self.extension = try container.decodeIfPresent(String.self, forKey: .extension)
        voicemail = try container.decodeIfPresent(String.self, forKey: .voicemail)
        self.status = known
        addresses = try container.decodeIfPresent([String].self, forKey: .addresses) ?? []
        lastSeen = try container.decodeIfPresent(String.self, forKey: .lastSeen).flatMap { try? Date($0, strategy: .iso8601) }
        keepaliveInterval = try container.decodeIfPresent(Int.self, forKey: .keepaliveInterval).map { .seconds($0) }
        let low = try container.decodeIfPresent(Int64.self, forKey: .rehomingWindowMin)
        let high = try container.decodeIfPresent(Int64.self, forKey: .rehomingWindowMax)
        rehomingWindow = low.flatMap { low in high.flatMap { high in low <= high ? .seconds(low) ... .seconds(high) : nil } }
        server = try container.decodeIfPresent(String.self, forKey: .server).flatMap(URL.init(string:)).map(RegistrarServer.init)
        isOnBackup = try container.decodeIfPresent(Bool.self, forKey: .isOnBackup) ?? false
    }

    /// The fields every backend has; absent values are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lineID, forKey: .lineId)
        try container.encodeIfPresent(deviceID, forKey: .deviceId)
        try container.encodeIfPresent(phoneNumber, forKey: .phoneNumber)
        try container.encodeIfPresent(self.extension, forKey: .extension)
        try container.encodeIfPresent(voicemail, forKey: .voicemail)
        try container.encode(status.description, forKey: .status)
        try container.encode(addresses, forKey: .addresses)
        try container.encodeIfPresent(lastSeen?.formatted(.iso8601), forKey: .lastSeen)
        try container.encodeIfPresent(keepaliveInterval?.components.seconds, forKey: .keepaliveInterval)
        try container.encodeIfPresent(rehomingWindow?.lowerBound.components.seconds, forKey: .rehomingWindowMin)
        try container.encodeIfPresent(rehomingWindow?.upperBound.components.seconds, forKey: .rehomingWindowMax)
        try container.encodeIfPresent(server?.description, forKey: .server)
        try container.encode(isOnBackup, forKey: .isOnBackup)
    }
}
