import CallingCore
import CallingEmulator
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// `MobiusRegistrar` against the emulator over loopback HTTP passes the registrar conformance suite.
@Suite("Mobius registrar conformance", .timeLimit(.minutes(2)))
struct MobiusConformanceTests {
    /// The emulator's controls, as the suite steers a server.
    struct EmulatorControls: ConformanceServer {
        let emulator: WebexEmulator

        func holds(_ device: RegisteredDevice) async throws -> Bool {
            await emulator.registeredDevices.contains { $0.deviceID == device.deviceID }
        }

        func forgetRegistrations() async throws {
            await emulator.forgetRegistrations()
        }

        func setSlowingDown(retryAfter: Duration?) async throws {
            if let retryAfter {
                await emulator.inject(
                    EmulatorFault(status: 429, retryAfter: String(retryAfter.components.seconds)), count: EmulatorFault.maximumCount, into: .keepalive
                )
            } else {
                await emulator.clearFaults()
            }
        }

        func setDown(_ down: Bool, _ server: RegistrarServer) async throws {
            let names = emulator.configuration.primaryServers + emulator.configuration.backupServers
            let name = try #require(names.first { server.url.path.contains("/mobius/\($0)/") })
            await emulator.setOutage(down ? .connectionRefused : nil, server: name)
        }

        func setSilent(_ silent: Bool) async throws {
            await emulator.setDelay(silent ? .seconds(3600) : nil, for: .register)
        }
    }

    /// A registrar that gets one answer wrong: a keepalive's "not found" is passed on as a miss.
    struct MissingNotFound: LineRegistrar {
        let wrapped: MobiusRegistrar

        func discoverServers() async throws -> RegistrarServers { try await wrapped.discoverServers() }
        func makeDevice() async throws -> LineDevice { try await wrapped.makeDevice() }
        func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
            await wrapped.register(device, at: server)
        }
        func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> {
            let result = await wrapped.keepalive(registration)
            if let error = result.error, error.code == .notFound {
                return .retryable(error)
            }
            return result
        }
        func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> { await wrapped.deregister(device) }
        func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool { await wrapped.ping(server, as: device) }
    }

    func withRegistrar(_ body: (MobiusRegistrar, EmulatorControls) async throws -> Void) async throws {
        let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: .defaults))
        defer { server.stop() }
        let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))
        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: server.baseURL, configuration: server.emulator.configuration)
        let registrar = MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store)
        try await body(registrar, EmulatorControls(emulator: server.emulator))
    }

    @Test("MobiusRegistrar over URLSession passes every check")
    func conforms() async throws {
        try await withRegistrar { registrar, controls in
            let passed = try await RegistrarConformance(registrar: registrar, server: controls).run()
            #expect(passed == RegistrarConformance.checks)
        }
    }

    @Test("a registrar that calls a forgotten registration a miss fails the suite, which names the check and the answer")
    func catchesAWrongAnswer() async throws {
        try await withRegistrar { registrar, controls in
            let failure = await #expect(throws: RegistrarConformance.Failure.self) {
                try await RegistrarConformance(registrar: MissingNotFound(wrapped: registrar), server: controls).run()
            }
            #expect(failure?.check == "forgotten registration")
            #expect(failure?.reason.hasPrefix("a keepalive for a forgotten registration answered retryable(not_found)") == true)
        }
    }
}
