import CallingAuth
import CallingTransport
import Foundation

extension WebexEmulator {
    /// The admin API under `/_emulator/` (no authentication: it only ever listens on loopback).
    ///
    /// - `GET /_emulator/state`: request counts and live registrations.
    /// - `POST /_emulator/outage` `{"server": "primary", "outage": "refuse" | "503" | null}`
    /// - `POST /_emulator/fault` `{"endpoint": "register", "count": 2, "status": 503, "body": "…", "retryAfter": "20"}`
    /// - `POST /_emulator/delay` `{"endpoint": "keepalive", "milliseconds": 1500}`
    /// - `POST /_emulator/users` `{"count": 100}`: makes that many users (at most 10,000 a call)
    ///   and answers `{"users": [{"userId": …, "access_token": …, "refresh_token": …, …}]}`,
    ///   each user's tokens as a token endpoint gives them.
    /// - `POST /_emulator/revoke`: revokes every token; `{"userId": …}`, only that user's.
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
        let body = AdminFields((try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:])
        do {
            return try await admin(request.method, path: path, body: body)
        } catch {
            return Self.json(400, ["message": error.description])
        }
    }

    private func admin(_ method: HTTPMethod, path: String, body: AdminFields) async throws(AdminFields.WrongType) -> HTTPResponse {
        switch (method, path) {
        case (.get, "/_emulator/state"):
            let devices = registeredDevices.map { ["deviceId": $0.deviceID, "userId": $0.userID, "server": $0.server, "clientDeviceUri": $0.clientDeviceURL] }
            let counts = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.name, $0.value) })
            return Self.json(200, ["registrations": devices, "requests": counts])
        case (.post, "/_emulator/outage"):
            let servers = configuration.primaryServers + configuration.backupServers
            guard let server = try body.string("server"), servers.contains(server) else {
                return Self.json(400, ["message": "give the server's name: \(servers.joined(separator: ", "))"])
            }
            let name = try body.string("outage")
            let outage = name.flatMap(ServerOutage.init(name:))
            if name != nil, outage == nil {
                return Self.json(400, ["message": "outage is refuse, 503 or null"])
            }
            await setOutage(outage, server: server)
            return Self.json(200, [:])
        case (.post, "/_emulator/device"):
            guard let action = try body.string("action"), ["approve", "deny", "slow_down"].contains(action) else {
                return Self.json(400, ["message": "action is approve, deny or slow_down"])
            }
            guard setDeviceGrant(userCode: try body.string("userCode"), to: action) else {
                return Self.json(404, ["message": "no pending device grant with that user code"])
            }
            return Self.json(200, [:])
        case (.post, "/_emulator/fault"):
            guard let name = try body.string("endpoint"), let endpoint = EmulatorEndpoint(name: name), let status = try body.integer("status") else {
                return Self.json(400, ["message": "give endpoint (\(EmulatorEndpoint.all.map(\.name).joined(separator: ", "))) and status"])
            }
            let fault = EmulatorFault(status: status, body: try body.string("body") ?? "{}", retryAfter: try body.string("retryAfter"))
            let count = try body.integer("count") ?? 1
            do {
                try fault.validate(count: count)
            } catch {
                return Self.json(400, ["message": error.description])
            }
            inject(fault, count: count, into: endpoint)
            return Self.json(200, [:])
        case (.post, "/_emulator/delay"):
            guard let name = try body.string("endpoint"), let endpoint = EmulatorEndpoint(name: name) else {
                return Self.json(400, ["message": "give endpoint and milliseconds"])
            }
            let milliseconds = try body.integer("milliseconds") ?? 0
            guard (0...60_000).contains(milliseconds) else {
                return Self.json(400, ["message": "milliseconds must be from 0 to 60000"])
            }
            setDelay(.milliseconds(milliseconds), for: endpoint)
            return Self.json(200, [:])
        case (.post, "/_emulator/users"):
            guard let count = try body.integer("count"), (1...10_000).contains(count) else {
                return Self.json(400, ["message": "count must be from 1 to 10000"])
            }
            let users = addUsers(count).map { user in Self.tokenFields(user.tokens).merging(["userId": user.userID]) { $1 } }
            return Self.json(200, ["users": users])
        case (.post, "/_emulator/revoke"):
            if let userID = try body.string("userId") {
                revokeTokens(of: userID)
            } else {
                revokeAllTokens()
            }
            return Self.json(200, [:])
        case (.post, "/_emulator/reset"):
            await clearFaults()
            return Self.json(200, [:])
        default:
            return Self.json(404, ["message": "no such admin endpoint: \(method) \(path)"])
        }
    }
}

/// An admin request's JSON fields, read strictly: a field of the wrong type is refused with a
/// message that names it, never taken for absent (`"outage": 5` must not end an outage).
private struct AdminFields {
    struct WrongType: Error, CustomStringConvertible {
        let description: String
    }

    private let object: [String: Any]

    init(_ object: [String: Any]) {
        self.object = object
    }

    /// The string at `key`; `nil` when absent or `null`.
    func string(_ key: String) throws(WrongType) -> String? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String: return text
        case let other?: throw WrongType(description: "\(key) must be a string or null, not \(other)")
        }
    }

    /// The whole number at `key`; `nil` when absent or `null`. `true`, `2.5` and `"2"` are refused.
    func integer(_ key: String) throws(WrongType) -> Int? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let number as NSNumber where !(number is Bool) && Int(exactly: number.doubleValue) != nil: return number.intValue
        case let other?: throw WrongType(description: "\(key) must be a whole number or null, not \(other)")
        }
    }
}
