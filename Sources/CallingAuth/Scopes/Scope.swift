/// An OAuth scope an integration asks Webex for, such as `spark:calls_read`.
///
/// Every scope the Webex documentation lists is a constant (``catalogue``); a preset groups the
/// scopes one kind of app needs (``calling`` for Webex Calling lines). Any other name still works
/// (``isDocumented`` says whether it is in the catalogue), since Webex adds scopes over time.
public struct Scope: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The scope's name, as sent in `scope`.
    public let rawValue: String

    /// The scope named `rawValue`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The scope named `name`.
    public init(_ name: String) {
        self.init(rawValue: name)
    }

    /// The scope named by a string literal.
    public init(stringLiteral name: String) {
        self.init(rawValue: name)
    }

    /// The name.
    public var description: String { rawValue }

    /// Whether the Webex documentation lists this scope.
    public var isDocumented: Bool {
        Self.documented.contains(self)
    }

    private static let documented = Set(catalogue)

    /// Webex Calling lines: `spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi`.
    public static let calling: [Scope] = [.sparkWebrtcCalling, .sparkCallsRead, .sparkCallsWrite, .sparkXsi]
    /// Reading and sending messages in spaces the user is in.
    public static let messaging: [Scope] = [
        .sparkMessagesRead, .sparkMessagesWrite, .sparkRoomsRead, .sparkRoomsWrite, .sparkMembershipsRead, .sparkMembershipsWrite,
    ]
    /// Scheduling meetings and working with their participants and recordings.
    public static let meetings: [Scope] = [
        .meetingSchedulesRead, .meetingSchedulesWrite, .meetingParticipantsRead, .meetingParticipantsWrite, .meetingRecordingsRead,
    ]
    /// The user's devices and their xAPI.
    public static let devices: [Scope] = [.sparkDevicesRead, .sparkDevicesWrite, .sparkXapiStatuses, .sparkXapiCommands]
    /// An administrator's Webex Calling configuration: telephony settings, locations, people.
    public static let telephonyAdmin: [Scope] = [
        .sparkAdminTelephonyConfigRead, .sparkAdminTelephonyConfigWrite, .sparkAdminLocationsRead, .sparkAdminPeopleRead,
    ]

    /// The presets by the names `calling login --scopes` takes.
    public static let presets: [String: [Scope]] = [
        "calling": calling, "messaging": messaging, "meetings": meetings, "devices": devices, "telephony-admin": telephonyAdmin,
    ]

    /// Scopes from a space-separated list of names and preset names, duplicates removed and
    /// order kept: `"calling spark:people_read"`.
    public static func parse(_ list: String) -> [Scope] {
        var seen = Set<Scope>()
        return list.split(separator: " ").flatMap { item in presets[String(item)] ?? [Scope(String(item))] }.filter { seen.insert($0).inserted }
    }
}
