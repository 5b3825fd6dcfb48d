import CallingCore
import CallingEmulator
import CallingMobius
import CallingServiceLifecycle
import CallingTransport
import Logging
import ServiceLifecycle
import Testing

@Suite("CallingClient as a ServiceLifecycle service", .timeLimit(.minutes(1)))
struct CallingClientServiceTests {
    /// A client of the emulator (keepalives every second) in a service group, not yet running.
    func serviceGroup() async throws -> (server: EmulatorServer, client: CallingClient, group: ServiceGroup) {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.keepaliveInterval = 1
        let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
        let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))
        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: server.baseURL)
        let client = CallingClient(registrar: MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store))
        return (server, client, ServiceGroup(services: [CallingClientService(client)], logger: Logger(label: "calling-tests")))
    }

    /// Adds a line and waits until it is registered.
    func registeredLine(_ client: CallingClient) async throws -> Line {
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        while let event = await events.next(), event.name != "registered" {}
        return line
    }

    @Test("in a ServiceGroup: lines register and keep alive; graceful shutdown deregisters them before the group returns")
    func gracefulShutdown() async throws {
        let (server, client, group) = try await serviceGroup()
        defer { server.stop() }
        let running = Task { try await group.run() }
        var lines: [Line] = []
        for _ in 0..<3 {
            lines.append(try await registeredLine(client))
        }
        #expect(await server.emulator.registeredDevices.count == 3)
        await server.emulator.waitForRequests(to: .keepalive, count: 3)

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(await server.emulator.registeredDevices.isEmpty, "every line deregistered before run() returned")
        for line in lines {
            #expect(await line.status == .idle)
        }
    }

    @Test("cancelling the group stops the client at once, without deregistering")
    func cancellation() async throws {
        let (server, client, group) = try await serviceGroup()
        defer { server.stop() }
        let running = Task { try await group.run() }
        _ = try await registeredLine(client)
        running.cancel()
        _ = await running.result
        #expect(await server.emulator.registeredDevices.count == 1, "cancellation leaves the registration")
    }
}
