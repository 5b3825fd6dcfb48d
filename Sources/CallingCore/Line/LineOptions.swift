/// How to create a line: what the app knows about it, and optionally its device.
public struct LineOptions: Sendable, Equatable {
    /// The line's phone number, if the app knows it.
    public var phoneNumber: String?
    /// The line's extension, if the app knows it.
    public var `extension`: String?
    /// The line's voicemail number, if the app knows it.
    public var voicemail: String?
    /// A device to register as; when `nil`, the registrar makes one (Webex: a device-manager device).
    public var device: LineDevice?
    /// A stable name for the line, under which failover progress is saved so that a restarted
    /// process resumes it; when `nil`, the user id with the phone number (or extension), and
    /// the device URL when neither is known (which a new device changes).
    public var persistenceKey: String?

    /// Creates options.
    public init(
        phoneNumber: String? = nil,
        extension: String? = nil,
        voicemail: String? = nil,
        device: LineDevice? = nil,
        persistenceKey: String? = nil
    ) {
        self.phoneNumber = phoneNumber
        self.extension = `extension`
        self.voicemail = voicemail
        self.device = device
        self.persistenceKey = persistenceKey
    }
}
