import CallingCore
import CallingTransport
import Foundation

extension WebexEmulator {
    /// `POST {server}device`: registers a client device, replacing its own earlier registration,
    /// or answers 403/101 with the user's oldest registration when the device limit is reached.
    func register(_ request: HTTPRequest, userID: String, server: String, serverBase: String) -> HTTPResponse {
        expireRegistrations()
        guard let body = try? JSONDecoder().decode(MobiusWire.RegisterRequest.self, from: request.body ?? Data()),
            let clientDeviceURL = body.clientDeviceUri, !clientDeviceURL.isEmpty,
            let indicator = body.serviceData?.indicator
        else {
            return Self.json(400, ["message": "the body needs clientDeviceUri and serviceData.indicator", "trackingId": Self.trackingID(request)])
        }
        guard ["calling", "contactcenter", "guestcalling"].contains(indicator) else {
            return Self.json(400, ["message": "unknown serviceData.indicator \(indicator)", "trackingId": Self.trackingID(request)])
        }
        guard body.userId == userID, request.headers["cisco-device-url"] == clientDeviceURL, wdmOwners[clientDeviceURL] ?? userID == userID else {
            return Self.json(403, ["message": "userId or cisco-device-url does not match the token's user and device", "errorCode": 103])
        }
        let existing = deviceIDs[userID + " " + clientDeviceURL].flatMap { registrations[$0] }
        let deviceID: String
        if let existing {
            deviceID = existing.deviceID
        } else {
            if userDevices[userID]?.count ?? 0 >= configuration.deviceLimit,
                let oldest = userDevices[userID]?.compactMap({ registrations[$0] }).min(by: { $0.sequence < $1.sequence })
            {
                return Self.json(403, [
                    "userId": userID, "errorCode": 101, "message": "Device limit exceeded",
                    "devices": [[
                        "deviceId": oldest.deviceID, "uri": oldest.serverBase + "devices/" + oldest.deviceID,
                        "clientDeviceUri": oldest.clientDeviceURL, "status": "active",
                    ]],
                ])
            }
            deviceID = UUID.random().uuidString.lowercased()
        }
        let registered = now()
        registrationSequence += 1
        deviceIDs[userID + " " + clientDeviceURL] = deviceID
        userDevices[userID, default: []].insert(deviceID)
        registrations[deviceID] = Registration(
            deviceID: deviceID, userID: userID, clientDeviceURL: clientDeviceURL, server: server, serverBase: serverBase,
            lastKeepalive: registered, sequence: existing?.sequence ?? registrationSequence
        )
        let answer = MobiusWire.RegisterAnswer(
            userId: userID,
            device: .init(
                deviceId: deviceID, uri: serverBase + "devices/" + deviceID, status: "active",
                lastSeen: registered.formatted(.iso8601), addresses: ["sip:\(userID)@emulator.webex.invalid"],
                clientDeviceUri: clientDeviceURL
            ),
            keepaliveInterval: configuration.keepaliveInterval,
            callKeepaliveInterval: 60,
            rehomingIntervalMin: configuration.rehomingIntervalMinutes.lowerBound,
            rehomingIntervalMax: configuration.rehomingIntervalMinutes.upperBound,
            voicePortalNumber: 8001,
            voicePortalExtension: 8001
        )
        return HTTPResponse(
            status: 200, headers: ["Content-Type": "application/json"], body: (try? JSONEncoder().encode(answer)) ?? Data()
        )
    }

    /// `POST {server}devices/{id}/status`: 404 for an unknown, expired or moved registration,
    /// 403 for another user's.
    func keepalive(deviceID: String, server: String, userID: String) -> HTTPResponse {
        expireIfStale(deviceID)
        guard let registration = registrations[deviceID], registration.server == server else {
            return Self.json(404, ["message": "Device not found."])
        }
        guard registration.userID == userID else {
            return Self.anotherUsersDevice
        }
        registrations[deviceID]?.lastKeepalive = now()
        return Self.emptyAnswer
    }

    /// `DELETE {server}devices/{id}`: 404 for an unknown or expired registration, 403 for
    /// another user's.
    func deregister(deviceID: String, userID: String) -> HTTPResponse {
        expireIfStale(deviceID)
        guard let registration = registrations[deviceID] else {
            return Self.json(404, ["message": "Device not found."])
        }
        guard registration.userID == userID else {
            return Self.anotherUsersDevice
        }
        remove(deviceID)
        return Self.emptyAnswer
    }

    /// What a request with one user's token about another user's registration answers.
    private static let anotherUsersDevice = json(403, ["message": "The device belongs to another user.", "errorCode": 103])

    /// What a keepalive or deregistration answers: an empty JSON object, built once.
    private static let emptyAnswer = HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))

    /// Drops registrations that missed keepalives for longer than `expiryIntervals` intervals.
    /// Unless forced, sweeps at most once a second, so that many registrations cost O(1) each.
    func expireRegistrations(force: Bool = false) {
        let now = now()
        guard force || now.timeIntervalSince(lastExpirySweep) >= 1 else { return }
        lastExpirySweep = now
        for (deviceID, registration) in registrations where isStale(registration, now: now) {
            remove(deviceID)
        }
    }

    private func expireIfStale(_ deviceID: String) {
        if let registration = registrations[deviceID], isStale(registration, now: now()) {
            remove(deviceID)
        }
    }

    private func isStale(_ registration: Registration, now: Date) -> Bool {
        now.timeIntervalSince(registration.lastKeepalive) > TimeInterval(configuration.keepaliveInterval * configuration.expiryIntervals)
    }

    @discardableResult
    private func remove(_ deviceID: String) -> Bool {
        guard let registration = registrations.removeValue(forKey: deviceID) else { return false }
        deviceIDs[registration.userID + " " + registration.clientDeviceURL] = nil
        userDevices[registration.userID]?.remove(deviceID)
        return true
    }

    static func trackingID(_ request: HTTPRequest) -> String {
        request.headers["trackingid"] ?? "EMU_" + UUID.random().uuidString
    }
}
