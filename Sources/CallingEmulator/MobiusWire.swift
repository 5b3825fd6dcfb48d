/// Mobius's JSON as the emulator reads and writes it, in types of its own (written from
/// Webex's documented shapes, not shared with the client), so that a field-name mistake on either side is
/// caught by the other. Codable rather than `JSONSerialization`: registration is on every
/// benchmarked line's path.
enum MobiusWire {
    /// `POST {server}device`: who registers, as which client device, for which service.
    struct RegisterRequest: Decodable {
        struct ServiceData: Decodable {
            let indicator: String?
            let domain: String?
        }

        let userId: String?
        let clientDeviceUri: String?
        let serviceData: ServiceData?
    }

    /// A registration's answer.
    struct RegisterAnswer: Encodable {
        struct Device: Encodable {
            let deviceId: String
            let uri: String
            let status: String
            let lastSeen: String
            let addresses: [String]
            let clientDeviceUri: String
        }

        let userId: String
        let device: Device
        let keepaliveInterval: Int
        let callKeepaliveInterval: Int
        let rehomingIntervalMin: Int
        let rehomingIntervalMax: Int
        let voicePortalNumber: Int
        let voicePortalExtension: Int
    }

    /// The device manager's answer to `POST {wdm}/devices`.
    struct DeviceAnswer: Encodable {
        let url: String
        let userId: String
        let deviceType: String
    }
}
