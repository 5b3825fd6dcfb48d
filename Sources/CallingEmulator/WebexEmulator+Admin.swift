import CallingTransport
import Foundation

extension WebexEmulator {
    /// The admin API under `/_emulator/` (no authentication: it only ever listens on loopback).
    ///
    /// - `GET /_emulator/state`: request counts and live registrations.
    /// - `POST /_emulator/outage` `{"server": "primary", "outage": "refuse" | "503" | null}`
    /// - `POST /_emulator/fault` `{"endpoint": "register", "count": 2, "status": 503, "body": "…", "retryAfter": "20"}`
    /// - `POST /_emulator/delay` `{"endpoint": "keepalive", "milliseconds": 1500}`
    /// - `POST /_emulator/revoke`: revokes every token.
    /// - `POST /_emulator/reset`: clears faults, delays and outages.
    /// - `POST /_emulator/device` `{"userCode": "BCDF-GHJK", "action": "approve|deny|slow_down"}`:
    ///   decides a pending device-flow grant (every pending one without `userCode`).
    func admin(_ request: HTTPRequest, path: String) async -> HTTPResponse {
        let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
        switch (request.method, path) {
        case (.get, "/_emulator/state"):
            let devices = registeredDevices.map { ["deviceId": $0.deviceID, "userId": $0.userID, "server": $0.server, "clientDeviceUri": $0.clientDeviceURL] }
            let counts = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.name, $0.value) })
            return Self.json(200, ["registrations": devices, "requests": counts])
        case (.post, "/_emulator/outage"):
            guard let server = body["server"] as? String else {
                return Self.json(400, ["message": "give the server's name"])
            }
            let outage = (body["outage"] as? String).flatMap(ServerOutage.init(name:))
            if body["outage"] is String, outage == nil {
                return Self.json(400, ["message": "outage is refuse, 503 or null"])
            }
            await setOutage(outage, server: server)
            return Self.json(200, [:])
        case (.post, "/_emulator/device"):
            guard let action = body["action"] as? String, ["approve", "deny", "slow_down"].contains(action) else {
                return Self.json(400, ["message": "action is approve, deny or slow_down"])
            }
            guard setDeviceGrant(userCode: body["userCode"] as? String, to: action) else {
                return Self.json(404, ["message": "no pending device grant with that user code"])
            }
            return Self.json(200, [:])
        case (.post, "/_emulator/fault"):
            guard let name = body["endpoint"] as? String, let endpoint = EmulatorEndpoint(name: name), let status = body["status"] as? Int else {
                return Self.json(400, ["message": "give endpoint (\(EmulatorEndpoint.all.map(\.name).joined(separator: ", "))) and status"])
            }
            let fault = EmulatorFault(status: status, body: body["body"] as? String ?? "{}", retryAfter: body["retryAfter"] as? String)
            inject(fault, count: body["count"] as? Int ?? 1, into: endpoint)
            return Self.json(200, [:])
        case (.post, "/_emulator/delay"):
            guard let name = body["endpoint"] as? String, let endpoint = EmulatorEndpoint(name: name) else {
                return Self.json(400, ["message": "give endpoint and milliseconds"])
            }
            setDelay(.milliseconds(body["milliseconds"] as? Int ?? 0), for: endpoint)
            return Self.json(200, [:])
        case (.post, "/_emulator/revoke"):
            revokeAllTokens()
            return Self.json(200, [:])
        case (.post, "/_emulator/reset"):
            await clearFaults()
            return Self.json(200, [:])
        default:
            return Self.json(404, ["message": "no such admin endpoint: \(request.method) \(path)"])
        }
    }
}
