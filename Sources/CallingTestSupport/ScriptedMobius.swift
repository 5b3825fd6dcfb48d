import CallingTesting
import CallingTransport
import Foundation

/// A scripted Webex backend for tests: answers region, discovery, device-manager and Mobius
/// requests with sensible defaults, lets a test queue other answers per method and path, and
/// records every request in order.
///
/// Serve its ``handler`` through an `InMemoryTransport` (or a `LoopbackHTTPServer`).
public final class ScriptedMobius: Sendable {
    /// The discovery host; its `/calling/web/` base is also the last backup.
    public static let discoveryHost = URL(string: "https://mobius-discovery.example.com/api/v1")!

    private struct State {
        var requests: [HTTPRequest] = []
        var scripted: [String: [HTTPResponse]] = [:]
        var held: [String: [Gate]] = [:]
        var cancelled: [HTTPRequest] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<[HTTPRequest], Never>)] = []
        var nextDevice = 0
    }

    /// The primary server URIs discovery returns (without `/calling/web/`).
    public let primaryURIs: [String]
    /// The backup server URIs discovery returns.
    public let backupURIs: [String]
    /// The keepalive interval registrations get.
    public let keepaliveInterval: Int
    private let state = Locked(State())

    /// Creates a backend.
    ///
    /// - Parameters:
    ///   - primaries: Primary URIs, for example `https://mobius-p1.example.com/api/v1`.
    ///   - backups: Backup URIs.
    ///   - keepaliveInterval: Seconds, as registrations answer it.
    public init(
        primaries: [String] = ["https://mobius-p1.example.com/api/v1"],
        backups: [String] = ["https://mobius-b1.example.com/api/v1"],
        keepaliveInterval: Int = 30
    ) {
        self.primaryURIs = primaries
        self.backupURIs = backups
        self.keepaliveInterval = keepaliveInterval
    }

    /// Queues answers for `method` on `url` (matched without its query), used in order before
    /// the default answer returns.
    public func script(_ method: HTTPMethod, _ url: String, _ responses: HTTPResponse...) {
        state.withLock { $0.scripted["\(method) \(url)", default: []].append(contentsOf: responses) }
    }

    /// Holds the next request for `method` on `url` until `gate` opens, as a slow server would.
    public func hold(_ method: HTTPMethod, _ url: String, until gate: Gate) {
        state.withLock { $0.held["\(method) \(url)", default: []].append(gate) }
    }

    /// Held requests whose caller cancelled them while they waited (a real server would never
    /// have seen them complete).
    public var cancelledRequests: [HTTPRequest] {
        state.withLock(\.cancelled)
    }

    /// Every request so far, in arrival order.
    public var requests: [HTTPRequest] {
        state.withLock(\.requests)
    }

    /// Waits until at least `count` requests have arrived, then returns all of them.
    public func requests(count: Int) async -> [HTTPRequest] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [HTTPRequest]? in
                if state.requests.count >= count { return state.requests }
                state.waiters.append((count, continuation))
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
            }
        }
    }

    /// The handler to serve.
    public var handler: InMemoryTransport.Handler {
        { [self] request in
            let response = answer(request)
            if let gate = response.gate {
                await gate.wait()
                if Task.isCancelled {
                    state.withLock { $0.cancelled.append(request) }
                    throw TransportError(code: .cancelled, host: request.url.host ?? "", message: "cancelled while held")
                }
            }
            return response.response
        }
    }

    private func answer(_ request: HTTPRequest) -> (response: HTTPResponse, gate: Gate?) {
        var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        components?.query = nil
        let key = "\(request.method) \(components?.string ?? "")"
        let (response, gate, released) = state.withLock { state -> (HTTPResponse?, Gate?, [(CheckedContinuation<[HTTPRequest], Never>, [HTTPRequest])]) in
            state.requests.append(request)
            let scripted = state.scripted[key]?.isEmpty == false ? state.scripted[key]?.removeFirst() : nil
            let gate = state.held[key]?.isEmpty == false ? state.held[key]?.removeFirst() : nil
            let ready = state.waiters.filter { $0.count <= state.requests.count }
            state.waiters.removeAll { $0.count <= state.requests.count }
            return (scripted, gate, ready.map { ($0.continuation, state.requests) })
        }
        for (continuation, requests) in released {
            continuation.resume(returning: requests)
        }
        return (response ?? defaultAnswer(request, path: components?.path ?? ""), gate)
    }

    private func defaultAnswer(_ request: HTTPRequest, path: String) -> HTTPResponse {
        switch (request.method, path) {
        case (.get, "/v1/region"):
            return .json(200, #"{"clientRegion":"US-EAST","countryCode":"US","regionCode":"US-EAST"}"#)
        case (.post, "/wdm/api/v1/devices"):
            let number = state.withLock { state in
                state.nextDevice += 1
                return state.nextDevice
            }
            return .json(200, #"{"url":"https://wdm.example.com/wdm/api/v1/devices/dev-\#(number)","userId":"user-1"}"#)
        case (.get, _) where path.hasSuffix("/calling/web/"):
            let body: [String: Any] = ["primary": ["region": "US-EAST", "uris": primaryURIs], "backup": ["region": "US-WEST", "uris": backupURIs]]
            return HTTPResponse(status: 200, body: try! JSONSerialization.data(withJSONObject: body))
        case (.post, _) where path.hasSuffix("/calling/web/device"):
            let server = request.url.absoluteString.replacingOccurrences(of: "device", with: "")
            let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
            let deviceURL = body?["clientDeviceUri"] as? String ?? ""
            return .json(200, Self.registration(server: server, deviceID: Self.deviceID(server: server, deviceURL: deviceURL), keepaliveInterval: keepaliveInterval))
        default:
            return HTTPResponse(status: 200)
        }
    }

    /// The device id the default registration answer gives a device on a server:
    /// `<host's first label>-<device URL's last path component>`, for example `mobius-p1-dev`.
    public static func deviceID(server: String, deviceURL: String) -> String {
        let host = URL(string: server)?.host?.split(separator: ".").first.map(String.init) ?? "x"
        return "\(host)-\(URL(string: deviceURL)?.lastPathComponent ?? "x")"
    }

    /// A Mobius registration answer.
    public static func registration(
        server: String,
        deviceID: String,
        keepaliveInterval: Int = 30,
        rehomingMin: Int = 60,
        rehomingMax: Int = 120
    ) -> String {
        """
        {"userId":"user-1","device":{"deviceId":"\(deviceID)","uri":"\(server)devices/\(deviceID)","status":"active",
        "lastSeen":"2026-11-21T10:00:00Z","addresses":["sip:alice@example.com"],"clientDeviceUri":"https://wdm.example.com/dev"},
        "keepaliveInterval":\(keepaliveInterval),"callKeepaliveInterval":60,"rehomingIntervalMin":\(rehomingMin),
        "rehomingIntervalMax":\(rehomingMax),"voicePortalNumber":8001,"voicePortalExtension":"8001"}
        """
    }
}
