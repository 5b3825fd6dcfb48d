import CallingCore
import CallingTransport
import Foundation

/// Webex Calling's registrar: lines register with Mobius over HTTPS.
///
/// Requests go through any `Transport`: `URLSessionTransport` in production, an
/// `InMemoryTransport` (or the emulator) in tests. Every Mobius request carries a fresh bearer
/// token from the `AccessTokenProvider` (refreshed once and retried once on a 401),
/// `cisco-device-url`, `spark-user-agent` and a unique `trackingid`. Answers are classified as
/// the `LineRegistrar` table says, with Mobius's details: a 403 with `errorCode` 101 is the
/// device limit, 102 a user not enabled for calling (final), any other 403 a retryable failure.
public struct MobiusRegistrar: LineRegistrar {
    /// Everything but the tokens, shared by the registrars ``withTokenProvider(_:)`` makes: a
    /// gateway holds one registrar per user, and a copy of the settings and pipelines apiece
    /// would cost more than the user's line.
    private final class Shared: Sendable {
        let configuration: Configuration
        /// Region lookup, which carries no token.
        let anonymous: TransportPipeline
        /// Every request that carries a token, inside the user's token middleware.
        let identified: TransportPipeline
        let now: @Sendable () -> Date

        init(configuration: Configuration, transport: any Transport, now: @escaping @Sendable () -> Date, logger: CallingLogger) {
            self.configuration = configuration
            let logging: [any Middleware] = logger.isDisabled ? [] : [RequestLoggingMiddleware(logger: logger.from("CallingMobius"))]
            self.anonymous = TransportPipeline(middlewares: logging, transport: transport)
            self.identified = TransportPipeline(middlewares: [TrackingIDMiddleware(prefix: "swift-calling")] + logging, transport: transport)
            self.now = now
        }
    }

    private let shared: Shared
    private let bearer: BearerTokenMiddleware

    /// The services and identity used.
    public var configuration: Configuration { shared.configuration }
    private var now: @Sendable () -> Date { shared.now }

    /// Creates a registrar.
    ///
    /// - Parameters:
    ///   - configuration: Webex's URLs and the client's identity.
    ///   - transport: How requests reach Webex.
    ///   - tokenProvider: Where access tokens come from (a `TokenStore`, or your own).
    ///   - now: The wall clock, for `Retry-After` dates.
    ///   - logger: Where each request is logged (`debug`) with its `trackingid` and outcome.
    public init(
        configuration: Configuration = .defaults,
        transport: any Transport,
        tokenProvider: any AccessTokenProvider,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: CallingLogger = .disabled
    ) {
        self.shared = Shared(configuration: configuration, transport: transport, now: now, logger: logger)
        self.bearer = BearerTokenMiddleware(provider: tokenProvider)
    }

    private init(shared: Shared, tokenProvider: any AccessTokenProvider) {
        self.shared = shared
        self.bearer = BearerTokenMiddleware(provider: tokenProvider)
    }

    /// This registrar for another user: the same configuration, transport, clock and log, with
    /// that user's tokens. A gateway makes its users' registrars this way, so that they share
    /// one copy of everything but the tokens.
    ///
    /// ```swift
    /// let registrar = MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: firstUser)
    /// let line = try await client.addLine(using: registrar.withTokenProvider(secondUser))
    /// ```
    public func withTokenProvider(_ tokenProvider: any AccessTokenProvider) -> MobiusRegistrar {
        MobiusRegistrar(shared: shared, tokenProvider: tokenProvider)
    }

    /// Four misses for contact center, five otherwise.
    public var keepaliveMissLimit: Int {
        configuration.serviceIndicator == .contactCenter ? 4 : 5
    }

    // MARK: Discovery

    /// Looks up the region (unless configured), then asks each discovery host for the server lists.
    ///
    /// - Throws: `CallingError` with code `CallingError.Code.invalidConfiguration` for a
    ///   `domain` that is not a host name (before anything is sent),
    ///   `CallingError.Code.loginRequired` when the access token was refused and no refresh
    ///   helps, or `CallingError.Code.discoveryFailed` saying which step failed and why.
    public func discoverServers() async throws -> RegistrarServers {
        guard configuration.domain.isEmpty || Self.isHostName(configuration.domain) else {
            throw CallingError(
                code: .invalidConfiguration,
                message: "the Mobius domain '\(configuration.domain)' is not a host name (like calling.example.com); leave it empty for Webex Calling"
            )
        }
        let region: Configuration.Region
        if let configured = configuration.region {
            region = configured
        } else {
            region = try await lookUpRegion()
        }
        var problems: [String] = []
        for host in configuration.discoveryHosts {
            let base = Self.callingBase(host.absoluteString)
            var components = URLComponents(string: base)
            components?.queryItems = [
                URLQueryItem(name: "regionCode", value: region.regionCode),
                URLQueryItem(name: "countryCode", value: region.countryCode),
            ]
            guard let url = components?.url else { continue }
            let response: HTTPResponse
            do {
                response = try await authorized(request(.get, url))
            } catch {
                if let loginRequired = Self.loginRequired(error, at: host.host ?? base) { throw loginRequired }
                problems.append("\(host.host ?? base): \(Self.reason(error))")
                continue
            }
            if response.status == 401 {
                throw CallingError(
                    code: .loginRequired,
                    message: "Mobius discovery at \(host.host ?? base) refused the access token (HTTP 401) even after a refresh; log in again"
                )
            }
            guard response.isSuccess, let object = Self.object(response.body) else {
                problems.append("\(host.host ?? base): HTTP \(response.status)")
                continue
            }
            return Self.servers(from: object, discoveryHost: RegistrarServer(url: URL(string: base)!))
        }
        throw CallingError(
            code: .discoveryFailed,
            message: "no Mobius discovery host answered (\(problems.joined(separator: "; "))); check the network and the discovery hosts"
        )
    }

    private func lookUpRegion() async throws -> Configuration.Region {
        let response: HTTPResponse
        do {
            response = try await shared.anonymous.send(request(.get, configuration.regionURL))
        } catch {
            throw CallingError(
                code: .discoveryFailed,
                message: "the region lookup at \(configuration.regionURL.host ?? "?") failed: \(Self.reason(error)); configure the region to skip it"
            )
        }
        guard response.isSuccess, let object = Self.object(response.body),
            let regionCode = object["clientRegion"] as? String, let countryCode = object["countryCode"] as? String
        else {
            throw CallingError(
                code: .discoveryFailed,
                message: "the region lookup at \(configuration.regionURL.host ?? "?") answered HTTP \(response.status) without clientRegion and countryCode; configure the region to skip it"
            )
        }
        return Configuration.Region(regionCode: regionCode, countryCode: countryCode)
    }

    /// Server lists as Webex's reference client builds them: each URI plus `/calling/web/`, order kept,
    /// duplicates removed; the discovery host is the only primary when both lists are empty,
    /// otherwise the last backup.
    package static func servers(from object: [String: Any], discoveryHost: RegistrarServer) -> RegistrarServers {
        func list(_ key: String) -> [RegistrarServer] {
            let uris = (object[key] as? [String: Any])?["uris"] as? [String] ?? []
            var seen = Set<String>()
            return uris.map(callingBase).filter { seen.insert($0).inserted }.compactMap(URL.init(string:)).map(RegistrarServer.init)
        }
        var servers = RegistrarServers(primaries: list("primary"), backups: list("backup"))
        if servers.primaries.isEmpty && servers.backups.isEmpty {
            servers.primaries = [discoveryHost]
        } else if !servers.primaries.contains(discoveryHost) && !servers.backups.contains(discoveryHost) {
            servers.backups.append(discoveryHost)
        }
        return servers
    }

    /// Whether `text` is a DNS host name: dot-separated labels of letters, digits and inner
    /// hyphens, each 1–63 long, 253 at most in all.
    static func isHostName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return text.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
        }
    }

    /// `uri` with `/calling/web/` appended (once).
    static func callingBase(_ uri: String) -> String {
        if uri.hasSuffix("/calling/web/") { return uri }
        return (uri.hasSuffix("/") ? String(uri.dropLast()) : uri) + "/calling/web/"
    }

    /// Creates a device-manager device for a line.
    ///
    /// - Throws: `CallingError` with code `CallingError.Code.loginRequired` when the access
    ///   token was refused and no refresh helps, else `CallingError.Code.deviceCreationFailed`.
    public func makeDevice() async throws -> LineDevice {
        let body = MobiusMessages.DeviceRequest(
            name: configuration.deviceName, deviceType: "WEB", model: configuration.deviceName,
            localizedModel: configuration.deviceName, systemName: Self.systemName, systemVersion: Self.systemVersion
        )
        let post = request(.post, configuration.deviceManagerURL, body: body)
        let host = configuration.deviceManagerURL.host ?? "?"
        let response: HTTPResponse
        do {
            response = try await authorized(post)
        } catch {
            throw Self.loginRequired(error, at: host)
                ?? CallingError(code: .deviceCreationFailed, message: "the device manager at \(host) could not be reached: \(Self.reason(error))")
        }
        if response.status == 401 {
            throw CallingError(code: .loginRequired, message: "the device manager at \(host) refused the access token (HTTP 401) even after a refresh; log in again")
        }
        guard response.isSuccess, let answer = try? JSONDecoder().decode(MobiusMessages.DeviceAnswer.self, from: response.body),
            let url = answer.url, let userID = answer.userId
        else {
            throw CallingError(
                code: .deviceCreationFailed,
                message: "the device manager at \(host) answered HTTP \(response.status) without a device url and userId; try again later"
            )
        }
        return LineDevice(userID: userID, deviceURL: url)
    }

    // MARK: Registration

    /// `POST {server}device` with the line's user, device and service data.
    public func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
        let body = MobiusMessages.RegisterRequest(
            userId: device.userID,
            clientDeviceUri: device.deviceURL,
            serviceData: .init(indicator: configuration.serviceIndicator.rawValue, domain: configuration.domain)
        )
        let url = URL(string: server.url.absoluteString + "device")!
        let post = request(.post, url, deviceURL: device.deviceURL, body: body)
        let response: HTTPResponse
        do {
            response = try await authorized(post)
        } catch {
            return Self.failure(error, server: server)
        }
        guard response.isSuccess else {
            return classify(response, server: server, onKeepalive: false)
        }
        guard let registration = Self.registration(from: response.body, server: server, device: device) else {
            return .retryable(LineError(
                code: .defaultError, detail: "the answer is not a readable registration; trying elsewhere",
                metadata: LineError.mobius(host: server.url.host ?? server.description, httpStatus: response.status)
            ))
        }
        return .succeeded(registration)
    }

    /// `POST {device.uri}/status`.
    public func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> {
        let url = registration.registrarContext as? URL ?? Self.keepaliveURL(for: registration.device)
        let response: HTTPResponse
        do {
            response = try await authorized(request(.post, url, deviceURL: registration.device.clientDeviceURL))
        } catch {
            return Self.failure(error, server: registration.device.server)
        }
        return response.isSuccess ? .succeeded : classify(response, server: registration.device.server, onKeepalive: true)
    }

    /// `DELETE {server}devices/{deviceId}`, as the device's own client device.
    public func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> {
        let url = URL(string: "\(device.server.url.absoluteString)devices/\(device.deviceID)")!
        let response: HTTPResponse
        do {
            response = try await authorized(request(.delete, url, deviceURL: device.clientDeviceURL))
        } catch {
            return Self.failure(error, server: device.server)
        }
        return response.isSuccess ? .succeeded : classify(response, server: device.server, onKeepalive: false)
    }

    /// `GET {server base}/ping`; up when it answers 2xx.
    public func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool {
        let base = server.url.absoluteString.replacingOccurrences(of: "/calling/web/", with: "/")
        guard let url = URL(string: base + "ping") else { return false }
        return (try? await authorized(request(.get, url, deviceURL: device.deviceURL)))?.isSuccess ?? false
    }

    // MARK: Answers

    /// Classifies a non-2xx answer as the table in <doc:HowALineTalksToWebexCalling> says. The
    /// detail says what happened and what to do; status, Mobius `errorCode`, host and tracking
    /// id go in fields of their own.
    private func classify<Success>(_ response: HTTPResponse, server: RegistrarServer, onKeepalive: Bool) -> RegistrarResult<Success> {
        let object = Self.object(response.body)
        let host = server.url.host ?? server.description
        let errorCode = (object?["errorCode"] as? NSNumber)?.intValue
        let serverMessage = (object?["message"] as? String).map { " (\(InboundLimits.shownText($0)))" } ?? ""
        let metadata = LineError.mobius(
            host: host, httpStatus: response.status, errorCode: errorCode,
            trackingID: (object?["trackingId"] as? String ?? response.headers["trackingid"]).map(InboundLimits.shownText)
        )
        func error(_ code: LineError.Code, _ detail: String) -> LineError {
            LineError(code: code, detail: detail + serverMessage, metadata: metadata)
        }
        switch response.status {
        case 400:
            return .final(error(.badRequest, "\(host) refused the request as malformed; check the service data and domain"))
        case 401:
            return .final(error(.tokenError, "\(host) refused the access token even after a refresh; log in again"))
        case 403 where errorCode == 102:
            return .final(error(.forbidden, "the user is not enabled for Webex Calling; ask the administrator to enable it"))
        case 403 where errorCode == 101 && !onKeepalive:
            guard let existing = Self.existingDevice(object, fallbackServer: server) else { fallthrough }
            return .deviceLimit(
                existing: existing,
                error: error(.forbidden, "the user has too many devices; removing device \(existing.deviceID) to make room")
            )
        case 403:
            return .retryable(error(.forbidden, "\(host) refused the registration; trying elsewhere"))
        case 404:
            let notFound = error(.notFound, "\(host) does not know the registration")
            return onKeepalive ? .deviceNotFound(notFound) : .final(notFound)
        case 409 where onKeepalive:
            return .final(error(.sessionSuperseded, "another session took this registration over at \(host); register again to take it back"))
        case 429:
            return .retryable(
                error(.tooManyRequests, "\(host) asked to slow down"),
                retryAfter: RetryAfter.parse(response.headers["Retry-After"], now: now())
            )
        case 500:
            return .retryable(error(.serverError, "\(host) failed"))
        case 503:
            return .retryable(error(.serviceUnavailable, "\(host) is unavailable"))
        default:
            return .retryable(error(.defaultError, "\(host) answered HTTP \(response.status)"))
        }
    }

    /// A request that got no answer. Final only when retrying cannot help: a token provider
    /// that needs a new login, or a credential that would go over plain HTTP. Anything else (the
    /// network, a token endpoint that fails for now, a custom transport's own error) is retryable.
    private static func failure<Success>(_ error: any Error, server: RegistrarServer) -> RegistrarResult<Success> {
        let host = server.url.host ?? server.description
        switch error {
        case let token as any AccessTokenError where token.requiresLogin:
            return .final(LineError(code: .tokenError, detail: "no usable access token for \(host): \(error)", metadata: ["host": .text(host)], cause: token))
        case let transport as TransportError where transport.code == .insecureDestination:
            return .final(LineError(code: .defaultError, detail: transport.message, metadata: ["host": .text(host)], cause: transport))
        case let transport as TransportError:
            return .retryable(LineError(code: .defaultError, detail: "could not reach \(host): \(transport.message)", metadata: ["host": .text(host)], cause: transport))
        case let token as any AccessTokenError:
            return .retryable(LineError(code: .tokenError, detail: "no access token for now (\(token)); trying again", metadata: ["host": .text(host)], cause: token))
        default:
            return .retryable(LineError(code: .defaultError, detail: "the request failed: \(error)", metadata: ["host": .text(host)], cause: error))
        }
    }

    /// A token provider's error that only a new login fixes, as the client's error; `nil` for
    /// any other failure. The provider's error says what to do.
    private static func loginRequired(_ error: any Error, at host: String) -> CallingError? {
        guard let token = error as? any AccessTokenError, token.requiresLogin else { return nil }
        return CallingError(code: .loginRequired, message: "no usable access token for \(host): \(error)")
    }

    package static func existingDevice(_ object: [String: Any]?, fallbackServer: RegistrarServer) -> RegisteredDevice? {
        guard let first = (object?["devices"] as? [[String: Any]])?.first, let id = first["deviceId"] as? String else {
            return nil
        }
        let uri = (first["uri"] as? String).flatMap(URL.init(string:))
        var server = fallbackServer
        if let uri = uri?.absoluteString, let range = uri.range(of: "devices/\(id)", options: .backwards),
            let url = URL(string: String(uri[..<range.lowerBound]))
        {
            server = RegistrarServer(url: url)
        }
        return RegisteredDevice(
            deviceID: id, server: server, clientDeviceURL: first["clientDeviceUri"] as? String ?? "", uri: uri
        )
    }

    /// `{device.uri}/status`, or `{server}devices/{id}/status` when the answer gave no uri.
    static func keepaliveURL(for device: RegisteredDevice) -> URL {
        let base = device.uriText ?? "\(device.server.url.absoluteString)devices/\(device.deviceID)"
        return URL(string: base + "/status")!
    }

    package static func registration(from body: Data, server: RegistrarServer, device: LineDevice) -> LineRegistration? {
        guard let answer = try? JSONDecoder().decode(MobiusMessages.RegisterAnswer.self, from: body),
            let registered = answer.device, let deviceID = registered.deviceId, !deviceID.isEmpty
        else {
            return nil
        }
        let keepalive = answer.keepaliveInterval.flatMap { $0 > 0 ? $0 : nil } ?? 30
        let minutes = { (value: Int?) in value.map { InboundLimits.clamp($0, to: InboundLimits.rehomingWindowMinutes) } }
        let registeredDevice = RegisteredDevice(
            deviceID: deviceID, server: server,
            // The line's own string when they are equal, as they usually are: one copy per line.
            clientDeviceURL: registered.clientDeviceUri.map { $0 == device.deviceURL ? device.deviceURL : $0 } ?? device.deviceURL,
            uri: registered.uri.flatMap(URL.init(string:))
        )
        var rehomingWindow: ClosedRange<Duration>?
        if let low = minutes(answer.rehomingIntervalMin), let high = minutes(answer.rehomingIntervalMax), low <= high {
            rehomingWindow = .seconds(60 * low) ... .seconds(60 * high)
        }
        return LineRegistration(
            device: registeredDevice,
            addresses: registered.addresses ?? [],
            lastSeen: registered.lastSeen.flatMap(parseDate),
            keepaliveInterval: InboundLimits.clamp(.seconds(keepalive), to: InboundLimits.keepaliveInterval),
            rehomingWindow: rehomingWindow,
            details: MobiusDetails(
                callKeepaliveInterval: answer.callKeepaliveInterval.flatMap { $0 > 0 ? InboundLimits.clamp(.seconds($0), to: InboundLimits.keepaliveInterval) : nil },
                voicePortalNumber: answer.voicePortalNumber,
                voicePortalExtension: answer.voicePortalExtension
            ),
            registrarContext: keepaliveURL(for: registeredDevice)
        )
    }

    /// Sends `request` with the user's token (refreshed and sent again once on a 401), a
    /// tracking id and the log.
    private func authorized(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await bearer.intercept(request) { try await shared.identified.send($0) }
    }

    /// A Mobius request with the headers every one carries (the token and tracking id are
    /// added on the way out), and `body` encoded as JSON.
    private func request(
        _ method: HTTPMethod, _ url: URL, deviceURL: String? = nil, body: (some Encodable)? = nil as String?
    ) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers.reserveCapacity(Self.headerCapacity)
        headers.add(name: "spark-user-agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: "application/json")
        if let deviceURL {
            headers["cisco-device-url"] = deviceURL
        }
        var data: Data?
        if let body {
            headers["Content-Type"] = "application/json"
            data = try? JSONEncoder().encode(body)
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: data)
    }

    /// Room for every header a Mobius request ends up with (ours, the token and the tracking
    /// id), so adding them on the way through the pipeline never grows the storage.
    private static let headerCapacity = 6

    private static func object(_ body: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }

    private static func reason(_ error: any Error) -> String {
        (error as? TransportError)?.message ?? "\(error)"
    }

    /// An ISO 8601 date, with or without fractional seconds (FoundationEssentials' parser:
    /// creating an `ISO8601DateFormatter` per answer cost more than the rest of a registration).
    private static func parseDate(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    private static let systemName = ProcessInfo.processInfo.operatingSystemVersionString.split(separator: " ").first.map(String.init) ?? "unknown"
    private static let systemVersion = {
        let version = ProcessInfo.processInfo.operatingSystemVersion
        return "\(version.majorVersion).\(version.minorVersion).\(version.patchVersion)"
    }()
}
