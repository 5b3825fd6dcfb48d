import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The servers and device the registrar tests use.
enum Fixture {
    static let p1 = "https://mobius-p1.example.com/api/v1/calling/web/"
    static let b1 = "https://mobius-b1.example.com/api/v1/calling/web/"
    static let device = LineDevice(userID: "user-1", deviceURL: "https://wdm.example.com/dev")
}

@Suite("Mobius registrar", .timeLimit(.minutes(1)))
struct MobiusRegistrarTests {
    let server = RegistrarServer(url: URL(string: Fixture.p1)!)
    let device = Fixture.device
    var registration: LineRegistration {
        LineRegistration(device: RegisteredDevice(deviceID: "d1", server: server, clientDeviceURL: device.deviceURL), keepaliveInterval: .seconds(30))
    }

    func registrar(
        _ handler: @escaping InMemoryTransport.Handler,
        configure: (inout MobiusRegistrar.Configuration) -> Void = { _ in }
    ) -> (MobiusRegistrar, InMemoryTransport) {
        var configuration = MobiusRegistrar.Configuration.defaults
        configure(&configuration)
        let transport = InMemoryTransport(handler: handler)
        return (MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: InMemoryTokenProvider()), transport)
    }

    func answering(_ status: Int, _ body: String = "{}", headers: HTTPHeaders = [:]) -> InMemoryTransport.Handler {
        { _ in .json(status, body, headers: headers) }
    }

    // MARK: Discovery

    @Test("discovery asks the region without a token, then Mobius with region and country")
    func discoveryRequests() async throws {
        let mobius = ScriptedMobius()
        let (registrar, transport) = registrar(mobius.handler)
        let servers = try await registrar.discoverServers()
        let region = transport.requests[0]
        #expect(region.url.absoluteString == "https://ds.ciscospark.com/v1/region")
        #expect(region.headers["Authorization"] == nil)
        let discovery = transport.requests[1]
        #expect(discovery.url.absoluteString == "https://mobius-us-east-1.prod.infra.webex.com/api/v1/calling/web/?regionCode=US-EAST&countryCode=US")
        #expect(discovery.headers["Authorization"] == "Bearer token-1")
        #expect(servers.primaries.map(\.description) == [Fixture.p1])
        #expect(servers.backups.map(\.description) == [Fixture.b1, "https://mobius-us-east-1.prod.infra.webex.com/api/v1/calling/web/"])
    }

    @Test("server lists: /calling/web/ appended, order kept, duplicates removed, the discovery host last")
    func serverLists() async throws {
        let body = #"{"primary":{"uris":["https://a.example.com/api/v1","https://b.example.com/api/v1/","https://a.example.com/api/v1"]},"backup":{"uris":["https://c.example.com/api/v1","https://host.example.com/api/v1"]}}"#
        let (registrar, _) = registrar(answering(200, body)) {
            $0.region = .init(regionCode: "EU", countryCode: "DE")
            $0.discoveryHosts = [URL(string: "https://host.example.com/api/v1")!]
        }
        let servers = try await registrar.discoverServers()
        #expect(servers.primaries.map(\.description) == ["https://a.example.com/api/v1/calling/web/", "https://b.example.com/api/v1/calling/web/"])
        #expect(servers.backups.map(\.description) == ["https://c.example.com/api/v1/calling/web/", "https://host.example.com/api/v1/calling/web/"])
    }

    @Test("with both lists empty the discovery host is the only primary")
    func emptyLists() async throws {
        let (registrar, transport) = registrar(answering(200, #"{"primary":{"uris":[]},"backup":{}}"#)) {
            $0.region = .init(regionCode: "EU", countryCode: "DE")
        }
        let servers = try await registrar.discoverServers()
        #expect(servers.primaries.map(\.description) == ["https://mobius-us-east-1.prod.infra.webex.com/api/v1/calling/web/"])
        #expect(servers.backups.isEmpty)
        #expect(transport.requests.count == 1)
    }

    @Test("the first discovery host that answers wins; failures are listed when none does")
    func discoveryHosts() async throws {
        let hosts = ["https://down.example.com/api/v1", "https://broken.example.com/api/v1", "https://up.example.com/api/v1"]
        let handler: InMemoryTransport.Handler = { request in
            switch request.url.host {
            case "down.example.com": throw TransportError(code: .connectionRefused, host: "down.example.com", message: "refused")
            case "broken.example.com": return HTTPResponse(status: 502)
            default: return .json(200, #"{"primary":{"uris":["https://p.example.com/api/v1"]}}"#)
            }
        }
        let (registrar, _) = registrar(handler) {
            $0.region = .init(regionCode: "EU", countryCode: "DE")
            $0.discoveryHosts = hosts.map { URL(string: $0)! }
        }
        #expect(try await registrar.discoverServers().primaries.map(\.description) == ["https://p.example.com/api/v1/calling/web/"])

        let (failing, _) = self.registrar(handler) {
            $0.region = .init(regionCode: "EU", countryCode: "DE")
            $0.discoveryHosts = hosts.prefix(2).map { URL(string: $0)! }
        }
        let error = await #expect(throws: CallingError.self) { try await failing.discoverServers() }
        #expect(error?.code == .discoveryFailed)
        #expect(error?.message.contains("down.example.com: refused") == true)
        #expect(error?.message.contains("broken.example.com: HTTP 502") == true)
    }

    @Test("a 401 from discovery is final: no other host is asked")
    func discoveryUnauthorized() async throws {
        let (registrar, transport) = registrar(answering(401)) {
            $0.region = .init(regionCode: "EU", countryCode: "DE")
            $0.discoveryHosts = [URL(string: "https://one.example.com/api/v1")!, URL(string: "https://two.example.com/api/v1")!]
        }
        let error = await #expect(throws: CallingError.self) { try await registrar.discoverServers() }
        #expect(error?.code == .loginRequired)
        #expect(error?.message.contains("log in again") == true)
        #expect(transport.requests.allSatisfy { $0.url.host == "one.example.com" })
    }

    @Test("a region lookup that fails or answers nonsense is a discovery error naming the host")
    func regionFailure() async throws {
        for handler in [answering(200, "<html>"), answering(500)] {
            let (registrar, _) = registrar(handler)
            let error = await #expect(throws: CallingError.self) { try await registrar.discoverServers() }
            #expect(error?.code == .discoveryFailed)
            #expect(error?.message.contains("ds.ciscospark.com") == true)
        }
    }

    // MARK: Devices

    @Test("a line's device comes from the device manager")
    func makeDevice() async throws {
        let mobius = ScriptedMobius()
        let (registrar, transport) = registrar(mobius.handler)
        let made = try await registrar.makeDevice()
        #expect(made == LineDevice(userID: "user-1", deviceURL: "https://wdm.example.com/wdm/api/v1/devices/dev-1"))
        let request = try #require(transport.requests.first)
        #expect("\(request.method) \(request.url)" == "POST https://wdm-a.wbx2.com/wdm/api/v1/devices")
        #expect(request.headers["Authorization"] == "Bearer token-1")
        let body = try #require(try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: String])
        #expect(body["deviceType"] == "WEB")
        #expect(Set(body.keys) == ["name", "deviceType", "model", "localizedModel", "systemName", "systemVersion"])
    }

    @Test("registrars made with withTokenProvider send their own user's token and share the rest: settings, transport, one run of tracking ids")
    func registrarPerUser() async throws {
        let mobius = ScriptedMobius()
        let transport = InMemoryTransport(handler: mobius.handler)
        var configuration = MobiusRegistrar.Configuration.defaults
        configuration.deviceName = "gateway"
        let alice = MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: FixedAccessToken(Secret("alice-token")))
        let bob = alice.withTokenProvider(FixedAccessToken(Secret("bob-token")))
        _ = try await alice.makeDevice()
        _ = try await bob.makeDevice()
        _ = try await alice.makeDevice()
        let requests = transport.requests
        #expect(requests.map { $0.headers["Authorization"] } == ["Bearer alice-token", "Bearer bob-token", "Bearer alice-token"])
        #expect(bob.configuration.deviceName == "gateway")
        let bodies = try requests.map { try #require(try JSONSerialization.jsonObject(with: $0.body ?? Data()) as? [String: String]) }
        #expect(bodies.allSatisfy { $0["name"] == "gateway" })
        let ids = requests.compactMap { $0.headers["trackingid"] }
        #expect(ids.count == 3 && Set(ids).count == 3)
        #expect(Set(ids.map { $0.split(separator: "_").dropLast().joined(separator: "_") }).count == 1)
    }

    @Test("a device manager failure is a clear error")
    func makeDeviceFailure() async throws {
        let (registrar, _) = registrar(answering(401))
        let error = await #expect(throws: CallingError.self) { try await registrar.makeDevice() }
        #expect(error?.code == .loginRequired)
        #expect(error?.message.contains("HTTP 401") == true)
        #expect(error?.message.contains("log in again") == true)
        let (failing, _) = self.registrar(answering(503))
        let unavailable = await #expect(throws: CallingError.self) { try await failing.makeDevice() }
        #expect(unavailable?.code == .deviceCreationFailed)
        #expect(unavailable?.message.contains("HTTP 503") == true)
    }

    @Test("a refused token that no refresh can replace: loginRequired at discovery and device creation, not 'check the network'; a line's error says what to do once (#20 case 8)")
    func refusedGivenToken() async throws {
        var configuration = MobiusRegistrar.Configuration.defaults
        configuration.region = .init(regionCode: "EU", countryCode: "DE")
        let given = MobiusRegistrar(
            configuration: configuration, transport: InMemoryTransport(handler: answering(401)), tokenProvider: FixedAccessToken(Secret("given"))
        )
        let refused = "the server refused the given access token, which cannot be refreshed: get a new one (or log in for a refreshable one)"
        let discovery = await #expect(throws: CallingError.self) { try await given.discoverServers() }
        let device = await #expect(throws: CallingError.self) { try await given.makeDevice() }
        for error in [discovery, device] {
            #expect(error?.code == .loginRequired)
            #expect(error?.message.contains(refused) == true, "\(String(describing: error))")
            #expect(error?.message.contains("check the network") == false)
        }
        let lineError = try #require(await given.register(self.device, at: server).error)
        #expect(lineError.code == .tokenError)
        #expect(lineError.detail.hasSuffix(refused), "\(lineError.detail)")
    }

    // MARK: Answers

    @Test(
        "a registration's timers are held to InboundLimits: keepalives up to a day, rehoming up to a day, none below zero (#20 case 2: 10^10 trapped)",
        arguments: [
            ("10000000000", "\"10000000000\"", "99999999", 86_400, 86_400, 1_440), ("9223372036854775807", "-5", "-5", 86_400, nil, 0),
            ("45", "0", "90", 45, nil, 90),
        ] as [(String, String, String, Int, Int?, Int)]
    )
    func registrationTimers(keepalive: String, callKeepalive: String, rehoming: String, heldKeepalive: Int, heldCallKeepalive: Int?, heldMinutes: Int) throws {
        let body = """
            {"device":{"deviceId":"d1"},"keepaliveInterval":\(keepalive),"callKeepaliveInterval":\(callKeepalive),\
            "rehomingIntervalMin":\(rehoming),"rehomingIntervalMax":\(rehoming)}
            """
        let registration = try #require(MobiusRegistrar.registration(from: Data(body.utf8), server: server, device: device))
        #expect(registration.keepaliveInterval == .seconds(heldKeepalive))
        #expect(registration.rehomingWindow == .seconds(60 * heldMinutes) ... .seconds(60 * heldMinutes))
        #expect(registration.details(as: MobiusDetails.self)?.callKeepaliveInterval == heldCallKeepalive.map { .seconds($0) })
    }

    enum Expected: Equatable {
        case succeeded, retryable(String, retryAfter: Duration?), final(String), deviceLimit(String), deviceNotFound
    }

    static func expected<T>(_ result: RegistrarResult<T>) -> Expected {
        switch result.kind {
        case .succeeded: .succeeded
        case .retryable(let error, let retryAfter): .retryable(error.code.description, retryAfter: retryAfter)
        case .final(let error): .final(error.code.description)
        case .deviceLimit(let existing, _): .deviceLimit(existing.deviceID)
        case .deviceNotFound: .deviceNotFound
        }
    }

    static let table: [(Int, String, Expected, Expected)] = [
        (400, "{}", .final("bad_request"), .final("bad_request")),
        (401, "{}", .final("token_error"), .final("token_error")),
        (403, #"{"errorCode":101,"devices":[{"deviceId":"old"}]}"#, .deviceLimit("old"), .retryable("forbidden", retryAfter: nil)),
        (403, #"{"errorCode":101}"#, .retryable("forbidden", retryAfter: nil), .retryable("forbidden", retryAfter: nil)),
        (403, #"{"errorCode":102}"#, .final("forbidden"), .final("forbidden")),
        (403, #"{"errorCode":103}"#, .retryable("forbidden", retryAfter: nil), .retryable("forbidden", retryAfter: nil)),
        (403, "", .retryable("forbidden", retryAfter: nil), .retryable("forbidden", retryAfter: nil)),
        (404, "{}", .final("not_found"), .deviceNotFound),
        (429, "{}", .retryable("too_many_requests", retryAfter: .seconds(7)), .retryable("too_many_requests", retryAfter: .seconds(7))),
        (500, "{}", .retryable("server_error", retryAfter: nil), .retryable("server_error", retryAfter: nil)),
        (409, "{}", .retryable("default_error", retryAfter: nil), .final("session_superseded")),
        (503, "{}", .retryable("service_unavailable", retryAfter: nil), .retryable("service_unavailable", retryAfter: nil)),
        (502, "<html>", .retryable("default_error", retryAfter: nil), .retryable("default_error", retryAfter: nil)),
    ]

    @Test("answers are classified as the Mobius error table says", arguments: table)
    func classification(status: Int, body: String, onRegister: Expected, onKeepalive: Expected) async throws {
        let (registrar, _) = registrar(answering(status, body, headers: ["Retry-After": "7"]))
        #expect(Self.expected(await registrar.register(device, at: server)) == onRegister)
        #expect(Self.expected(await registrar.keepalive(registration)) == onKeepalive)
    }

    @Test("Mobius's error JSON gives the message and keeps the tracking id")
    func errorDetails() async throws {
        let (registrar, _) = registrar(answering(500, #"{"message":"Mobius is sad","trackingId":"MOB_123"}"#))
        let error = try #require(await registrar.register(device, at: server).error)
        #expect(error.detail.contains("Mobius is sad"))
        #expect(error.trackingID == "MOB_123")
        #expect(error.status == "inactive")
        #expect(error.httpStatus == 500)
    }

    @Test("no answer: the network is retryable; an insecure URL or a refused token refresh is final")
    func noAnswer() async throws {
        let (unreachable, _) = registrar { request in
            throw TransportError(code: .timedOut, host: request.url.host ?? "", message: "no answer in time")
        }
        #expect(Self.expected(await unreachable.register(device, at: server)) == .retryable("default_error", retryAfter: nil))

        let (insecure, transport) = registrar(answering(200))
        let plain = RegistrarServer(url: URL(string: "http://mobius.example.com/api/v1/calling/web/")!)
        #expect(Self.expected(await insecure.register(device, at: plain)) == .final("default_error"))
        #expect(transport.requests.isEmpty)

        let loggedOut = InMemoryTokenProvider(refusing: .init(requiresLogin: true))
        let unauthorized = MobiusRegistrar(transport: InMemoryTransport(handler: answering(401)), tokenProvider: loggedOut)
        #expect(Self.expected(await unauthorized.register(device, at: server)) == .final("token_error"))
    }

    @Test("a token provider that fails for now, or a transport's own error, is retryable, not a final token error")
    func transientTokenFailure() async throws {
        let failing = InMemoryTokenProvider(refusing: .init(requiresLogin: false))
        let registrar = MobiusRegistrar(transport: InMemoryTransport(handler: answering(401)), tokenProvider: failing)
        #expect(Self.expected(await registrar.register(device, at: server)) == .retryable("token_error", retryAfter: nil))
        #expect(Self.expected(await registrar.keepalive(registration)) == .retryable("token_error", retryAfter: nil))

        struct AdapterTimeout: Error {}
        let (adapter, _) = self.registrar { _ in throw AdapterTimeout() }
        #expect(Self.expected(await adapter.register(device, at: server)) == .retryable("default_error", retryAfter: nil))
        #expect(Self.expected(await adapter.keepalive(registration)) == .retryable("default_error", retryAfter: nil))
    }

    @Test("deregistration deletes the device on its server as its own client device")
    func deregistration() async throws {
        let (registrar, transport) = registrar(answering(200))
        let listed = RegisteredDevice(deviceID: "old-1", server: server, clientDeviceURL: "https://wdm.example.com/old")
        #expect(Self.expected(await registrar.deregister(listed)) == .succeeded)
        let request = try #require(transport.requests.first)
        #expect("\(request.method) \(request.url)" == "DELETE \(Fixture.p1)devices/old-1")
        #expect(request.headers["cisco-device-url"] == "https://wdm.example.com/old")
        #expect(request.headers["Authorization"] == "Bearer token-1")
    }

    @Test("a domain that is not a host name is refused before anything is sent", arguments: ["not a host", "-bad.example.com", "a..b", "x/y", "é.example.com"])
    func badDomain(domain: String) async throws {
        let (registrar, transport) = registrar(answering(200)) { $0.domain = domain }
        let error = await #expect(throws: CallingError.self) { try await registrar.discoverServers() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("is not a host name") == true)
        #expect(transport.requests.isEmpty)
    }

    @Test("an empty domain, or a host name, is accepted", arguments: ["", "calling.example.com", "localhost", "a-1.b2.example"])
    func goodDomain(domain: String) async throws {
        let (registrar, _) = registrar(ScriptedMobius().handler) { $0.domain = domain }
        #expect(try await registrar.discoverServers().primaries.isEmpty == false)
    }

    @Test("ping: 200 is up, 500 or no answer is down; it asks {base}/ping with the headers every Mobius request carries")
    func ping() async throws {
        let (up, transport) = registrar(answering(200))
        #expect(await up.ping(server, as: device))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://mobius-p1.example.com/api/v1/ping")
        #expect(request.headers["cisco-device-url"] == device.deviceURL)
        #expect(request.headers["Authorization"] == "Bearer token-1")
        #expect(request.headers["spark-user-agent"] == "swift-calling/\(SwiftCalling.version)")
        #expect(request.headers["trackingid"]?.hasPrefix("swift-calling_") == true)
        let (down, _) = registrar(answering(500))
        #expect(await down.ping(server, as: device) == false)
        let (unreachable, _) = registrar { _ in throw TransportError(code: .connectionRefused, host: "h", message: "refused") }
        #expect(await unreachable.ping(server, as: device) == false)
    }
}
