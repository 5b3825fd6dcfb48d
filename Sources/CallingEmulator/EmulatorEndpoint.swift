/// One of the emulator's endpoints, for faults and request counters.
///
/// A struct rather than an enum, so that new endpoints can be added without breaking callers.
public struct EmulatorEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The endpoint's name, as the admin API takes it.
    public let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// `GET /v1/authorize`
    public static let authorize = EmulatorEndpoint("authorize")
    /// `POST /v1/access_token`
    public static let token = EmulatorEndpoint("token")
    /// `POST /v1/device/authorize`
    public static let deviceAuthorize = EmulatorEndpoint("device-authorize")
    /// `POST /v1/device/token`
    public static let deviceToken = EmulatorEndpoint("device-token")
    /// `GET /v1/device/verify`: the page where the user approves a device code.
    public static let deviceVerify = EmulatorEndpoint("device-verify")
    /// `GET /v1/region`
    public static let region = EmulatorEndpoint("region")
    /// `POST /wdm/api/v1/devices`
    public static let devices = EmulatorEndpoint("devices")
    /// `GET {mobius}/calling/web/`
    public static let discovery = EmulatorEndpoint("discovery")
    /// `POST {mobius}/calling/web/device`
    public static let register = EmulatorEndpoint("register")
    /// `POST {mobius}/calling/web/devices/{id}/status`
    public static let keepalive = EmulatorEndpoint("keepalive")
    /// `DELETE {mobius}/calling/web/devices/{id}`
    public static let deregister = EmulatorEndpoint("deregister")
    /// `GET {mobius}/ping`
    public static let ping = EmulatorEndpoint("ping")

    /// Every endpoint.
    public static let all: [EmulatorEndpoint] = [
        .authorize, .token, .deviceAuthorize, .deviceToken, .deviceVerify, .region, .devices, .discovery, .register, .keepalive, .deregister, .ping,
    ]

    /// The endpoint called `name`, if there is one.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    /// The name.
    public var description: String { name }
}
