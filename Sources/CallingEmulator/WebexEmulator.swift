import CallingAuth
import CallingCore
import CallingTransport
import Foundation

/// An offline Webex: OAuth 2.0, the device manager, region and Mobius discovery, and Mobius line
/// registration, with Webex's shapes, codes and headers, and faults on demand.
///
/// One actor holds the semantics; two ways reach it. In memory, ``handler(baseURL:)`` answers an
/// `InMemoryTransport`; over HTTP, ``EmulatorServer`` serves it on 127.0.0.1.
///
/// ```swift
/// let emulator = WebexEmulator()
/// let transport = InMemoryTransport(handler: emulator.handler(baseURL: WebexEmulator.inMemoryBaseURL))
/// ```
///
/// Tokens are checked on every endpoint but authorize, token and region; a missing, unknown,
/// expired or revoked token gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
public actor WebexEmulator {
    /// The base URL to use in memory (no socket is ever opened for it).
    public static let inMemoryBaseURL = URL(string: "https://emulator.webex.invalid")!

    struct Code {
        var clientID: String
        var redirectURI: String
        var challenge: String?
        var expiresAt: Date
        var scope: String
    }

    struct DeviceGrant {
        enum Status { case pending, approved, denied }
        var userCode: String
        var scope: String
        var expiresAt: Date
        var status: Status
        var slowDownNext: Bool
    }

    struct AccessGrant {
        var userID: String
        var expiresAt: Date
    }

    struct RefreshGrant {
        var userID: String
        var expiresAt: Date
        var scope: String
    }

    struct Registration {
        var deviceID: String
        var userID: String
        var clientDeviceURL: String
        var server: String
        var serverBase: String
        var lastKeepalive: Date
        /// Registration order, for "the oldest device" (dates can tie).
        var sequence: Int
    }

    /// The emulator's settings.
    public nonisolated let configuration: Configuration
    let now: @Sendable () -> Date
    var codes: [String: Code] = [:]
    /// Device-flow grants by device code.
    var deviceGrants: [String: DeviceGrant] = [:]
    var accessTokens: [String: AccessGrant] = [:]
    var refreshTokens: [String: RefreshGrant] = [:]
    var registrations: [String: Registration] = [:]
    /// Device id by user and client device, so a repeat registration is found at once.
    var deviceIDs: [String: String] = [:]
    /// Each user's device ids, for the device limit.
    var userDevices: [String: Set<String>] = [:]
    var lastExpirySweep = Date.distantPast
    var wdmDevices = 0
    /// The user each device-manager device was created for, by its URL.
    var wdmOwners: [String: String] = [:]
    var registrationSequence = 0
    /// Users made by `addUsers(_:)` so far, for their numbers.
    var addedUsers = 0
    var outages: [String: ServerOutage] = [:]
    var faults: [EmulatorEndpoint: [EmulatorFault]] = [:]
    var delays: [EmulatorEndpoint: Duration] = [:]
    var counts: [EmulatorEndpoint: Int] = [:]
    var countWaiters: [(endpoint: EmulatorEndpoint, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    var outageObserver: (@Sendable (String, ServerOutage?) async -> Void)?
    var mobiusBaseURLs: [String: URL] = [:]
    var mobiusBases: [MobiusBaseKey: String] = [:]

    /// Creates an emulator.
    ///
    /// - Parameters:
    ///   - configuration: Users, client, lifetimes, servers and limits.
    ///   - now: The wall clock for token, code and registration expiry.
    public init(configuration: Configuration = .defaults, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.now = now
    }

    /// A transport handler that answers as the emulator at `baseURL`.
    public nonisolated func handler(baseURL: URL) -> InMemoryTransport.Handler {
        { [self] request in try await handle(request, baseURL: baseURL) }
    }

    // MARK: Faults

    /// Takes a Mobius server down (or brings it back with `nil`).
    public func setOutage(_ outage: ServerOutage?, server: String) async {
        outages[server] = outage
        await outageObserver?(server, outage)
    }

    /// The outage Mobius server `name` has, if any.
    public func outage(ofServer name: String) -> ServerOutage? {
        outages[name]
    }

    /// Answers the next `count` requests to `endpoint` with `fault`.
    ///
    /// `count` is held to 0…``EmulatorFault/maximumCount``; check a fault from outside with
    /// ``EmulatorFault/validate(count:)`` to tell the caller what is wrong instead.
    public func inject(_ fault: EmulatorFault, count: Int = 1, into endpoint: EmulatorEndpoint) {
        faults[endpoint, default: []].append(contentsOf: Array(repeating: fault, count: min(max(count, 0), EmulatorFault.maximumCount)))
    }

    /// Delays every answer of `endpoint` by `delay` (`nil` or zero for none).
    public func setDelay(_ delay: Duration?, for endpoint: EmulatorEndpoint) {
        delays[endpoint] = delay
    }

    /// Revokes every access and refresh token: the next request with one gets 401.
    public func revokeAllTokens() {
        accessTokens = [:]
        refreshTokens = [:]
    }

    /// Revokes the access and refresh tokens of one user, as when that user's login is withdrawn:
    /// its next request gets 401 and its refresh `invalid_grant`; other users go on.
    public func revokeTokens(of userID: String) {
        accessTokens = accessTokens.filter { $0.value.userID != userID }
        refreshTokens = refreshTokens.filter { $0.value.userID != userID }
    }

    /// Expires every access token now, as when they reach their end of life on the server: the
    /// next request with one gets 401, and a refresh gets a new one.
    public func expireAccessTokens() {
        accessTokens = [:]
    }

    /// Forgets every Mobius registration, as a Mobius restart does: each line's next keepalive
    /// gets 404 and the line registers afresh. Tokens and device-manager devices stay.
    public func forgetRegistrations() {
        registrations = [:]
        deviceIDs = [:]
        userDevices = [:]
    }

    /// Removes every fault, delay and outage.
    public func clearFaults() async {
        faults = [:]
        delays = [:]
        for server in outages.keys {
            await setOutage(nil, server: server)
        }
    }

    /// Lets an HTTP host follow outages (closing and reopening a server's listener) and place
    /// each Mobius server at its own address.
    func host(mobiusBaseURLs: [String: URL], observingOutages observer: @escaping @Sendable (String, ServerOutage?) async -> Void) {
        self.mobiusBaseURLs = mobiusBaseURLs
        mobiusBases = [:]
        outageObserver = observer
    }

    /// Where Mobius server `name` lives: its own listener over HTTP, a path under `baseURL`
    /// otherwise. Remembered, because every Mobius request needs it and building a URL is slow.
    func mobiusBase(_ name: String, baseURL: URL) -> String {
        let key = MobiusBaseKey(name: name, baseURL: baseURL.absoluteString)
        if let known = mobiusBases[key] {
            return known
        }
        let base = (mobiusBaseURLs[name] ?? baseURL.appending(path: "mobius/\(name)")).absoluteString.trimmingSuffix("/")
        mobiusBases[key] = base
        return base
    }

    // MARK: Inspection

    /// How many requests each endpoint has received.
    public var requestCounts: [EmulatorEndpoint: Int] {
        counts
    }

    /// Returns once `endpoint` has received `count` requests (at once if it has): a test waits
    /// for what the server saw instead of for time to pass.
    public func waitForRequests(to endpoint: EmulatorEndpoint, count: Int) async {
        guard counts[endpoint, default: 0] < count else { return }
        await withCheckedContinuation { countWaiters.append((endpoint, count, $0)) }
    }

    /// The live registrations (expired ones removed), oldest first.
    public var registeredDevices: [RegisteredDeviceSnapshot] {
        expireRegistrations(force: true)
        return registrations.values.sorted { $0.sequence < $1.sequence }
            .map { RegisteredDeviceSnapshot(deviceID: $0.deviceID, userID: $0.userID, clientDeviceURL: $0.clientDeviceURL, server: $0.server, lastKeepalive: $0.lastKeepalive) }
    }

    // MARK: Routing

    /// Answers one request as the emulator at `baseURL`.
    ///
    /// - Throws: `TransportError` with `TransportError.Code.connectionRefused` for a server
    ///   that is down with ``ServerOutage/connectionRefused`` (as a real network would).
    public func handle(_ request: HTTPRequest, baseURL: URL) async throws -> HTTPResponse {
        var path = request.url.path(percentEncoded: true)
        while path.utf8.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }
        if path.hasPrefix("/_emulator/") {
            return await admin(request, path: path)
        }
        let route = Route(method: request.method, path: path)
        guard let endpoint = route.endpoint else {
            return Self.json(404, ["message": "no such endpoint: \(request.method) \(path)"])
        }
        counts[endpoint, default: 0] += 1
        let count = counts[endpoint, default: 0]
        let reached = countWaiters.filter { $0.endpoint == endpoint && $0.count <= count }
        countWaiters.removeAll { $0.endpoint == endpoint && $0.count <= count }
        reached.forEach { $0.continuation.resume() }
        if let server = route.server {
            guard configuration.primaryServers.contains(server) || configuration.backupServers.contains(server) else {
                return Self.json(404, ["message": "no Mobius server named \(server)"])
            }
            switch outages[server] {
            case .connectionRefused?:
                throw TransportError(code: .connectionRefused, host: request.url.host ?? server, message: "Mobius server \(server) is down")
            case .serviceUnavailable?:
                return Self.json(503, ["message": "Mobius server \(server) is unavailable", "trackingId": "EMU_\(server)"])
            default:
                break
            }
        }
        if let delay = delays[endpoint], delay > .zero {
            try await Task.sleep(for: delay)
        }
        if var queued = faults[endpoint], !queued.isEmpty {
            let fault = queued.removeFirst()
            faults[endpoint] = queued
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers["Retry-After"] = fault.retryAfter
            return HTTPResponse(status: fault.status, headers: headers, body: Data(fault.body.utf8))
        }
        switch endpoint {
        case .authorize: return authorize(Self.query(of: request.url))
        case .token: return token(request)
        case .deviceAuthorize: return deviceAuthorize(request, baseURL: baseURL)
        case .deviceToken: return deviceToken(request)
        case .deviceVerify: return deviceVerify(Self.query(of: request.url))
        case .region: return region()
        default: break
        }
        guard let userID = authorizedUser(request) else {
            return HTTPResponse(
                status: 401,
                headers: ["WWW-Authenticate": #"Bearer error="invalid_token""#, "Content-Type": "application/json"],
                body: Data(#"{"message":"The request requires a valid access token."}"#.utf8)
            )
        }
        let serverBase = mobiusBase(route.server ?? "", baseURL: baseURL) + "/api/v1/calling/web/"
        switch endpoint {
        case .devices: return createDevice(userID: userID, baseURL: baseURL)
        case .discovery: return discovery(baseURL: baseURL)
        case .register: return register(request, userID: userID, server: route.server ?? "", serverBase: serverBase)
        case .keepalive: return keepalive(deviceID: route.deviceID ?? "", server: route.server ?? "", userID: userID)
        case .deregister: return deregister(deviceID: route.deviceID ?? "", userID: userID)
        default: return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        }
    }

    /// The query's parameters, the first of each name; only the authorize page has any.
    private static func query(of url: URL) -> [String: String] {
        Dictionary(
            FormEncoding.decode(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? ""),
            uniquingKeysWith: { first, _ in first }
        )
    }

    private func authorizedUser(_ request: HTTPRequest) -> String? {
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer "),
            let grant = accessTokens[String(header.dropFirst(7))], now() < grant.expiresAt
        else {
            return nil
        }
        return grant.userID
    }

    private func region() -> HTTPResponse {
        Self.json(200, [
            "clientRegion": configuration.region.regionCode, "countryCode": configuration.region.countryCode,
            "regionCode": configuration.region.regionCode, "timezone": "America/New_York", "clientAddress": "127.0.0.1",
        ])
    }

    private func createDevice(userID: String, baseURL: URL) -> HTTPResponse {
        wdmDevices += 1
        let answer = MobiusWire.DeviceAnswer(
            url: baseURL.absoluteString.trimmingSuffix("/") + "/wdm/api/v1/devices/emu-device-\(wdmDevices)",
            userId: userID, deviceType: "WEB"
        )
        wdmOwners[answer.url] = userID
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: (try? JSONEncoder().encode(answer)) ?? Data())
    }

    private func discovery(baseURL: URL) -> HTTPResponse {
        func uris(_ names: [String]) -> [String] {
            names.map { mobiusBase($0, baseURL: baseURL) + "/api/v1" }
        }
        return Self.json(200, [
            "primary": ["region": configuration.region.regionCode, "uris": uris(configuration.primaryServers)],
            "backup": ["region": configuration.region.regionCode, "uris": uris(configuration.backupServers)],
        ])
    }

    static func json(_ status: Int, _ object: [String: Any], headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPResponse(status: status, headers: headers, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}

/// A Mobius server as a handler with a given base URL sees it.
struct MobiusBaseKey: Hashable {
    let name: String
    let baseURL: String
}

/// A registration as the emulator holds it.
public struct RegisteredDeviceSnapshot: Sendable, Equatable {
    /// The Mobius device id.
    public var deviceID: String
    /// The user it belongs to.
    public var userID: String
    /// The client device it was registered for.
    public var clientDeviceURL: String
    /// The name of the server holding it.
    public var server: String
    /// When its last keepalive (or its registration) arrived.
    public var lastKeepalive: Date
}

/// Which endpoint a method and path address.
struct Route {
    let endpoint: EmulatorEndpoint?
    let server: String?
    let deviceID: String?

    init(method: HTTPMethod, path: String) {
        let parts = path.split(separator: "/")
        func isPath(_ expected: String...) -> Bool {
            parts.elementsEqual(expected) { $0 == $1 }
        }
        switch method {
        case .get where isPath("v1", "authorize"): self.init(endpoint: .authorize)
        case .post where isPath("v1", "access_token"): self.init(endpoint: .token)
        case .post where isPath("v1", "device", "authorize"): self.init(endpoint: .deviceAuthorize)
        case .post where isPath("v1", "device", "token"): self.init(endpoint: .deviceToken)
        case .get where isPath("v1", "device", "verify"): self.init(endpoint: .deviceVerify)
        case .get where isPath("v1", "region"): self.init(endpoint: .region)
        case .post where isPath("wdm", "api", "v1", "devices"): self.init(endpoint: .devices)
        default: self.init(mobius: method, parts)
        }
    }

    private init(endpoint: EmulatorEndpoint?, server: String? = nil, deviceID: String? = nil) {
        self.endpoint = endpoint
        self.server = server
        self.deviceID = deviceID
    }

    /// `/mobius/{server}/api/v1/…`: discovery, register, keepalive, deregister and ping.
    private init(mobius method: HTTPMethod, _ parts: [Substring]) {
        guard parts.count >= 4, parts[0] == "mobius", parts[2] == "api", parts[3] == "v1" else {
            self.init(endpoint: nil)
            return
        }
        let server = String(parts[1])
        let rest = parts[4...]
        /// Whether the parts after `api/v1` are `expected`, `*` matching any one part.
        func isRest(_ expected: String...) -> Bool {
            rest.count == expected.count && zip(rest, expected).allSatisfy { $0 == $1 || $1 == "*" }
        }
        switch method {
        case .get where isRest("ping"): self.init(endpoint: .ping, server: server)
        case .get where isRest("calling", "web"): self.init(endpoint: .discovery, server: server)
        case .post where isRest("calling", "web", "device"): self.init(endpoint: .register, server: server)
        case .post where isRest("calling", "web", "devices", "*", "status"):
            self.init(endpoint: .keepalive, server: server, deviceID: String(parts[7]))
        case .delete where isRest("calling", "web", "devices", "*"):
            self.init(endpoint: .deregister, server: server, deviceID: String(parts[7]))
        default: self.init(endpoint: nil)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
