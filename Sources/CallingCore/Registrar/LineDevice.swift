/// Who a line registers as: the user and the client device that represents the line.
///
/// With Webex, the device URL comes from the device manager (one device per line) and is sent as
/// `clientDeviceUri` and `cisco-device-url`.
public struct LineDevice: Sendable, Hashable {
    /// The user the line belongs to.
    public var userID: String
    /// The client device's URL.
    public var deviceURL: String

    /// Creates a device identity.
    public init(userID: String, deviceURL: String) {
        self.userID = userID
        self.deviceURL = deviceURL
    }
}
