import CallingCore
import Foundation

/// A Webex Calling line as the Webex documentation describes it: `lineId`, `mobiusDeviceId`,
/// `phoneNumber`, `extension`, `status`, `sipAddresses`, `voicemail`, `lastSeen`,
/// `keepaliveInterval`, `callKeepaliveInterval`, `rehomingIntervalMin`, `rehomingIntervalMax`,
/// `voicePortalNumber`, `voicePortalExtension`; `Codable` with those names (`lastSeen` in ISO 8601,
/// intervals in seconds).
///
/// The one place the seed's Line properties live for Mobius lines: `line.info.mobius`.
public struct MobiusLine: Sendable, Equatable, Codable {
    /// The line's client-side id.
    public var lineId: UUID
    /// Mobius's `deviceId` for the registration, while registered.
    public var mobiusDeviceId: String?
    /// The phone number the app gave.
    public var phoneNumber: String?
    /// The extension the app gave.
    public var `extension`: String?
    /// `inactive`, `active` or `idle`.
    public var status: String
    /// The line's SIP addresses (Mobius `device.addresses`).
    public var sipAddresses: [String]
    /// The voicemail number the app gave.
    public var voicemail: String?
    /// The last interaction with Webex Calling: registration, then each successful keepalive.
    public var lastSeen: Date?
    /// Seconds between keepalives.
    public var keepaliveInterval: Int?
    /// Seconds between a call's keepalives.
    public var callKeepaliveInterval: Int?
    /// The shortest rehoming wait, in minutes.
    public var rehomingIntervalMin: Int?
    /// The longest rehoming wait, in minutes.
    public var rehomingIntervalMax: Int?
    /// The voicemail portal number.
    public var voicePortalNumber: Int?
    /// The voicemail portal extension.
    public var voicePortalExtension: Int?

    /// The documented object for `info`.
    public init(_ info: LineInfo) {
        let details = info.details(as: MobiusDetails.self)
        lineId = info.lineID
        mobiusDeviceId = info.deviceID
        phoneNumber = info.phoneNumber
        self.extension = info.extension
        status = info.status.description
        sipAddresses = info.addresses
        voicemail = info.voicemail
        lastSeen = info.lastSeen
        keepaliveInterval = info.keepaliveInterval.map { Int($0.components.seconds) }
        callKeepaliveInterval = details?.callKeepaliveInterval.map { Int($0.components.seconds) }
        rehomingIntervalMin = info.rehomingWindow.map { Int($0.lowerBound.components.seconds / 60) }
        rehomingIntervalMax = info.rehomingWindow.map { Int($0.upperBound.components.seconds / 60) }
        voicePortalNumber = details?.voicePortalNumber
        voicePortalExtension = details?.voicePortalExtension
    }

    private enum CodingKeys: String, CodingKey {
        case lineId, mobiusDeviceId, phoneNumber, `extension`, status, sipAddresses, voicemail, lastSeen, keepaliveInterval
        case callKeepaliveInterval, rehomingIntervalMin, rehomingIntervalMax, voicePortalNumber, voicePortalExtension
    }

    /// Decodes the documented object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lineId = try container.decode(UUID.self, forKey: .lineId)
        mobiusDeviceId = try container.decodeIfPresent(String.self, forKey: .mobiusDeviceId)
        phoneNumber = try container.decodeIfPresent(String.self, forKey: .phoneNumber)
        self.extension = try container.decodeIfPresent(String.self, forKey: .extension)
        status = try container.decode(String.self, forKey: .status)
        sipAddresses = try container.decodeIfPresent([String].self, forKey: .sipAddresses) ?? []
        voicemail = try container.decodeIfPresent(String.self, forKey: .voicemail)
        lastSeen = try container.decodeIfPresent(String.self, forKey: .lastSeen).flatMap { try? Date($0, strategy: .iso8601) }
        keepaliveInterval = try container.decodeIfPresent(Int.self, forKey: .keepaliveInterval)
        callKeepaliveInterval = try container.decodeIfPresent(Int.self, forKey: .callKeepaliveInterval)
        rehomingIntervalMin = try container.decodeIfPresent(Int.self, forKey: .rehomingIntervalMin)
        rehomingIntervalMax = try container.decodeIfPresent(Int.self, forKey: .rehomingIntervalMax)
        voicePortalNumber = try container.decodeIfPresent(Int.self, forKey: .voicePortalNumber)
        voicePortalExtension = try container.decodeIfPresent(Int.self, forKey: .voicePortalExtension)
    }

    /// Encodes the documented object; absent values are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lineId, forKey: .lineId)
        try container.encodeIfPresent(mobiusDeviceId, forKey: .mobiusDeviceId)
        try container.encodeIfPresent(phoneNumber, forKey: .phoneNumber)
        try container.encodeIfPresent(self.extension, forKey: .extension)
        try container.encode(status, forKey: .status)
        try container.encode(sipAddresses, forKey: .sipAddresses)
        try container.encodeIfPresent(voicemail, forKey: .voicemail)
        try container.encodeIfPresent(lastSeen?.formatted(.iso8601), forKey: .lastSeen)
        try container.encodeIfPresent(keepaliveInterval, forKey: .keepaliveInterval)
        try container.encodeIfPresent(callKeepaliveInterval, forKey: .callKeepaliveInterval)
        try container.encodeIfPresent(rehomingIntervalMin, forKey: .rehomingIntervalMin)
        try container.encodeIfPresent(rehomingIntervalMax, forKey: .rehomingIntervalMax)
        try container.encodeIfPresent(voicePortalNumber, forKey: .voicePortalNumber)
        try container.encodeIfPresent(voicePortalExtension, forKey: .voicePortalExtension)
    }
}

extension LineInfo {
    /// The line as the Webex documentation describes it.
    public var mobius: MobiusLine {
        MobiusLine(self)
    }
}
