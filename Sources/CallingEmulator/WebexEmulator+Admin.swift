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
    ///
    /// A POST must say `Content-Type: application/json`: a web page cannot send that across
    /// origins without the browser asking first, so no page the user visits can reconfigure a
    /// running emulator.
    func admin(_ request: HTTPRequest, path: String) async -> HTTPResponse {
        if request.method == .post {
            guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
                return Self.json(415, ["message": "admin requests must be Content-Type: application/json"])
            }
            guard request.body.map({ (try? JSONSerialization.jsonObject(with: $0)) is [String: Any] }) ?? true else {
                return Self.json(400, ["message": "the body must be a JSON object"])
            }
        }
        let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
        switch (request.method, path) {
        case (.get, "/_emulator/state"):
            let devices = registeredDevices.map { ["deviceId": $0.deviceID, "userId": $0.userID, "server": $0.server, "clientDeviceUri": $0.clientDeviceURL] }
            let counts = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.name, $0.value) })
            return Self.json(200, ["registrations": devices, "requests": counts])
        case (.post, "/_emulator/outage"):
            let servers = configuration.primaryServers + configuration.backupServers
            guard let server = body["server"] as? String, servers.contains(server) else {
                return Self.json(400, ["message": "give the server's name: \(servers.joined(separator: ", "))"])
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
            let count = body["count"] as? Int ?? 1
            do {
                try fault.validate(count: count)
            } catch {
                return Self.json(400, ["message": error.description])
            }
            inject(fault, count: count, into: endpoint)
            return Self.json(200, [:])
        case (.post, "/_emulator/delay"):
            guard let name = body["endpoint"] as? String, let endpoint = EmulatorEndpoint(name: name) else {
                return Self.json(400, ["message": "give endpoint and milliseconds"])
            }
            let milliseconds = body["milliseconds"] as? Int ?? 0
            guard (0...60_000).contains(milliseconds) else {
                return Self.json(400, ["message": "milliseconds must be from 0 to 60000"])
            }
            setDelay(.milliseconds(milliseconds), for: endpoint)
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
