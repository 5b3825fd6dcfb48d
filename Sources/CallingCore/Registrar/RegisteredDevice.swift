import Foundation

/// A device registration held by a server: the line's own, or one a device-limit answer listed.
public struct RegisteredDevice: Sendable, Hashable {
    /// The server's id for the registration (Mobius `deviceId`).
    public var deviceID: String
    /// The server holding the registration.
    public var server: RegistrarServer
    /// The client device the registration belongs to (its `clientDeviceUri`).
    public var clientDeviceURL: String
    /// Where the registration lives, if the server said (Mobius `device.uri`).
    public var uri: URL? {
        get { uriText.flatMap { URL(string: $0) } }
        set { uriText = newValue?.absoluteString }
    }

    /// ``uri`` as text, which is how it is kept: a `URL` costs some 300 bytes beside its
    /// text, and a gateway keeps a registration for each of its many lines.
    package private(set) var uriText: String?

    /// Creates a registered device.
    public init(deviceID: String, server: RegistrarServer, clientDeviceURL: String, uri: URL? = nil) {
        self.deviceID = deviceID
        self.server = server
        self.clientDeviceURL = clientDeviceURL
        self.uriText = uri?.absoluteString
    }
}
