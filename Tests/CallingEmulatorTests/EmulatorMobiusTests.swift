import CallingCore
import CallingMobius
import CallingEmulator
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The emulator's Mobius side, in memory, through the real registrar.
@Suite("Emulator Mobius", .timeLimit(.minutes(1)))
struct EmulatorMobiusTests {
    let clock = ManualClock()
    let base = WebexEmulator.inMemoryBaseURL

    /// An emulator and a registrar with a valid token for its user.
    func setUp(_ configure: (inout WebexEmulator.Configuration) -> Void = { _ in }) async throws -> (WebexEmulator, MobiusRegistrar) {
        var configuration = WebexEmulator.Configuration.defaults
        configure(&configuration)
        let emulator = WebexEmulator(configuration: configuration, now: clock.wallClock)
        let transport = InMemoryTransport(handler: emulator.handler(baseURL: base))
        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base, now: clock.wallClock)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: store, now: clock.wallClock)
        return (emulator, registrar)
    }

    @Test("discovery, device creation and registration answer with Webex's documented shapes")
    func shapes() async throws {
        let (emulator, registrar) = try await setUp()
        let servers = try await registrar.discoverServers()
        #expect(servers.primaries.map(\.description) == ["\(base)/mobius/primary/api/v1/calling/web/"])
        #expect(servers.backups.map(\.description) == ["\(base)/mobius/backup/api/v1/calling/web/"])
        let device = try await registrar.makeDevice()
        #expect(device.userID == "emulator-user")
        let result = await registrar.register(device, at: servers.primaries[0])
        guard case .succeeded(let registration) = result.kind else {
            Issue.record("registration failed: \(String(describing: result.error))")
            return
        }
        #expect(registration.keepaliveInterval == .seconds(30))
        #expect(registration.rehomingWindow?.lowerBound == .seconds(3600))
        #expect(registration.device.uri?.absoluteString == "\(servers.primaries[0])devices/\(registration.device.deviceID)")
        #expect(await registrar.keepalive(registration).error == nil)
        #expect(await registrar.ping(servers.primaries[0], as: LineDevice(userID: "u", deviceURL: "https://wdm.example.com/dev")))
        #expect(await emulator.registeredDevices.map(\.deviceID) == [registration.device.deviceID])
        #expect(await registrar.deregister(registration.device).error == nil)
        #expect(await emulator.registeredDevices.isEmpty)
        #expect(await emulator.requestCounts[.register] == 1)
    }

    @Test("registering the same device again keeps its id; the device limit answers 403/101 with the oldest")
    func deviceLimit() async throws {
        let (_, registrar) = try await setUp { $0.deviceLimit = 2 }
        let primary = try await registrar.discoverServers().primaries[0]
        var devices: [LineDevice] = []
        for _ in 0..<3 {
            devices.append(try await registrar.makeDevice())
        }
        let first = await registrar.register(devices[0], at: primary)
        let again = await registrar.register(devices[0], at: primary)
        guard case .succeeded(let one) = first.kind, case .succeeded(let same) = again.kind else {
            Issue.record("registration failed")
            return
        }
        #expect(one.device.deviceID == same.device.deviceID)
        _ = await registrar.register(devices[1], at: primary)
        let third = await registrar.register(devices[2], at: primary)
        guard case .deviceLimit(let existing, _) = third.kind else {
            Issue.record("expected the device limit, got \(String(describing: third.error))")
            return
        }
        #expect(existing.deviceID == one.device.deviceID)
        #expect(existing.clientDeviceURL == devices[0].deviceURL)
        #expect(existing.server == primary)
    }

    @Test("a registration without keepalives for three intervals expires; its keepalive then gets 404")
    func expiry() async throws {
        let (emulator, registrar) = try await setUp()
        let primary = try await registrar.discoverServers().primaries[0]
        let device = try await registrar.makeDevice()
        guard case .succeeded(let registration) = await registrar.register(device, at: primary).kind else {
            Issue.record("registration failed")
            return
        }
        clock.advance(by: .seconds(90))
        #expect(await registrar.keepalive(registration).error == nil)
        clock.advance(by: .seconds(91))
        #expect(await emulator.registeredDevices.isEmpty)
        guard case .deviceNotFound = await registrar.keepalive(registration).kind else {
            Issue.record("expected 404")
            return
        }
    }

    @Test("faults: the next requests fail as told, a server down refuses or answers 503, delays delay")
    func faults() async throws {
        let (emulator, registrar) = try await setUp()
        let servers = try await registrar.discoverServers()
        let device = try await registrar.makeDevice()
        await emulator.inject(EmulatorFault(status: 429, retryAfter: "20"), count: 2, into: .register)
        for _ in 0..<2 {
            let throttled = await registrar.register(device, at: servers.primaries[0])
            guard case .retryable(let error, let retryAfter) = throttled.kind else {
                Issue.record("expected 429")
                return
            }
            #expect(error.code == .tooManyRequests)
            #expect(retryAfter == .seconds(20))
        }
        await emulator.inject(.malformedBody, into: .register)
        #expect(await registrar.register(device, at: servers.primaries[0]).error?.code == .defaultError)
        #expect(await registrar.register(device, at: servers.primaries[0]).error == nil)

        await emulator.setOutage(.connectionRefused, server: "primary")
        #expect(await registrar.ping(servers.primaries[0], as: LineDevice(userID: "u", deviceURL: "https://wdm.example.com/dev")) == false)
        let refused = await registrar.register(device, at: servers.primaries[0])
        #expect(refused.error?.detail.contains("could not reach") == true)
        await emulator.setOutage(.serviceUnavailable, server: "primary")
        #expect(await registrar.register(device, at: servers.primaries[0]).error?.code == .serviceUnavailable)
        #expect(await registrar.register(device, at: servers.backups[0]).error == nil)
        await emulator.clearFaults()
        #expect(await registrar.ping(servers.primaries[0], as: LineDevice(userID: "u", deviceURL: "https://wdm.example.com/dev")))
    }

    @Test("the admin API sets faults and reports state as JSON")
    func admin() async throws {
        let (emulator, registrar) = try await setUp()
        let transport = InMemoryTransport(handler: emulator.handler(baseURL: base))
        func post(_ path: String, _ json: String) async throws -> Int {
            try await transport.send(
                HTTPRequest(method: .post, url: base.appending(path: path), headers: ["Content-Type": "application/json"], body: Data(json.utf8))
            ).status
        }
        #expect(try await post("_emulator/outage", #"{"server":"primary","outage":"503"}"#) == 200)
        #expect(try await post("_emulator/outage", #"{"server":"primary","outage":"sideways"}"#) == 400)
        #expect(try await post("_emulator/fault", #"{"endpoint":"keepalive","status":500,"count":3}"#) == 200)
        #expect(try await post("_emulator/fault", #"{"endpoint":"nowhere","status":500}"#) == 400)
        let servers = try await registrar.discoverServers()
        #expect(await registrar.register(try await registrar.makeDevice(), at: servers.primaries[0]).error?.code == .serviceUnavailable)
        #expect(try await post("_emulator/reset", "{}") == 200)
        #expect(try await post("_emulator/revoke", "{}") == 200)
        #expect(await registrar.ping(servers.primaries[0], as: LineDevice(userID: "u", deviceURL: "https://wdm.example.com/dev")) == false)
        let state = try await transport.send(HTTPRequest(method: .get, url: base.appending(path: "_emulator/state")))
        let object = try JSONSerialization.jsonObject(with: state.body) as? [String: Any]
        #expect((object?["requests"] as? [String: Int])?["register"] == 1)
        #expect((object?["registrations"] as? [Any])?.isEmpty == true)
    }
}
