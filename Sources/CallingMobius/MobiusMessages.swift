import CallingCore
import Foundation

/// Mobius's JSON, as Codable types: FoundationEssentials' JSON coders are several times faster on
/// Linux than `JSONSerialization`, and registration is on every line's path.
package enum MobiusMessages {
    /// `POST {device manager}`: a new device.
    package struct DeviceRequest: Codable {
        package var name: String
        package var deviceType: String
        package var model: String
        package var localizedModel: String
        package var systemName: String
        package var systemVersion: String
    }

    /// The device manager's answer: the device URL and its user.
    package struct DeviceAnswer: Codable {
        package var url: String?
        package var userId: String?
        package var deviceType: String?
    }

    /// `POST {server}device`
    package struct RegisterRequest: Codable {
        package struct ServiceData: Codable {
            package var indicator: String?
            package var domain: String?
        }

        package var userId: String?
        package var clientDeviceUri: String?
        package var serviceData: ServiceData?
    }

    /// The answer to a registration; every field optional and tolerant of its type, so one odd
    /// field never loses the registration.
    package struct RegisterAnswer: Codable {
        package struct Device: Codable {
            package var deviceId: String?
            package var uri: String?
            package var status: String?
            package var lastSeen: String?
            package var addresses: [String]?
            package var clientDeviceUri: String?

            package init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                deviceId = container.lenient(String.self, .deviceId)
                uri = container.lenient(String.self, .uri)
                status = container.lenient(String.self, .status)
                lastSeen = container.lenient(String.self, .lastSeen)
                addresses = container.lenient([String].self, .addresses)
                clientDeviceUri = container.lenient(String.self, .clientDeviceUri)
            }
        }

        package var userId: String?
        package var device: Device?
        package var keepaliveInterval: Int?
        package var callKeepaliveInterval: Int?
        package var rehomingIntervalMin: Int?
        package var rehomingIntervalMax: Int?
        package var voicePortalNumber: Int?
        package var voicePortalExtension: Int?

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            userId = container.lenient(String.self, .userId)
            device = container.lenient(Device.self, .device)
            keepaliveInterval = container.integer(.keepaliveInterval)
            callKeepaliveInterval = container.integer(.callKeepaliveInterval)
            rehomingIntervalMin = container.integer(.rehomingIntervalMin)
            rehomingIntervalMax = container.integer(.rehomingIntervalMax)
            voicePortalNumber = container.integer(.voicePortalNumber)
            voicePortalExtension = container.integer(.voicePortalExtension)
        }
    }
}

extension KeyedDecodingContainer {
    /// The value, or `nil` when it is missing or of another type.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }

    /// A whole number given as a number or a numeric string.
    func integer(_ key: Key) -> Int? {
        lenient(Int.self, key) ?? lenient(String.self, key).flatMap { Int($0) }
    }
}
