import CallingBenchmarkKit
import CallingCore
import CallingEmulator
import CallingKamailio
import CallingMobius
import CallingSIP
import CallingTransport
import Foundation

/// Lines registered and deregistered per second through the full client: against the emulator
/// in memory (Mobius, Bearer checks and all), or against the project's Kamailio registrar on
/// 127.0.0.1 over real UDP or TCP.
struct RegisterBenchmark {
    /// What the lines register with.
    enum Backend: String {
        /// Webex Calling's Mobius, emulated in memory.
        case mobius
        /// The project's Kamailio (`Sources/CallingKamailio`), started for the run: every line is one contact of
        /// one user, so each answer lists all of the user's bindings.
        case sip
    }

    /// When the lines' devices are created at the device manager.
    enum Devices: String {
        /// Before the clock starts, as a server that keeps its devices has them already.
        case before
        /// Inside the measured time: one device-manager request more per line.
        case timed
    }

    let lines: Int
    let devices: Devices
    let backend: Backend
    let transport: SIPTransport

    func run() async throws -> BenchmarkResult {
        switch backend {
        case .mobius: try await runMobius()
        case .sip: try await runSIP()
        }
    }

    private func runSIP() async throws -> BenchmarkResult {
        guard KamailioRegistrar.available else {
            throw BenchmarkError("--backend sip needs Kamailio (apt-get install kamailio)")
        }
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        let registrar = SIPRegistrar(
            configuration: .init(
                addressOfRecord: SIPAddress("sip:bob@127.0.0.1:\(kamailio.port)")!, password: Secret("bob-secret"), transport: transport
            )
        )
        var result = try await measure(registrar) { try kamailio.contacts(of: "bob").count }
        result["transport"] = transport.rawValue
        return result
    }

    private func runMobius() async throws -> BenchmarkResult {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.deviceLimit = lines
        let emulator = WebexEmulator(configuration: configuration)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(recordsRequests: false, handler: emulator.handler(baseURL: base))
        let tokens = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: tokens)
        return try await measure(registrar) { await emulator.registeredDevices.count }
    }

    /// Registers and deregisters the lines through a client on `registrar`; `left` counts the
    /// registrations the server still holds afterwards.
    private func measure(_ registrar: any LineRegistrar, left: () async throws -> Int) async throws -> BenchmarkResult {
        let client = CallingClient(registrar: registrar)
        let runner = Task { try? await client.run() }
        try await client.start()

        let created = devices == .before ? try await LinePacer.forEach(lines) { _ in try await registrar.makeDevice() } : []

        let clock = ContinuousClock()
        let started = clock.now
        let cpu = ProcessStats.cpuSeconds()
        let all = try await LinePacer.forEach(lines) { index in
            let line = try await client.addLine(LineOptions(device: created.isEmpty ? nil : created[index]))
            try await LinePacer.register(line)
            return line
        }
        let registered = clock.now
        _ = try await LinePacer.forEach(all.count) { index in
            try await LinePacer.deregister(all[index])
        }
        let finished = clock.now
        let cpuSeconds = ProcessStats.cpuSeconds() - cpu
        let remaining = try await left()
        runner.cancel()
        await runner.value

        var result = BenchmarkResult()
        result["benchmark"] = "register"
        result["backend"] = backend.rawValue
        result["lines"] = lines
        result["devices"] = devices.rawValue
        result["lines_per_s"] = Double(lines) / started.duration(to: finished).timeInterval
        result["register_s"] = started.duration(to: registered).timeInterval
        result["deregister_s"] = registered.duration(to: finished).timeInterval
        result["cpu_s"] = cpuSeconds
        result["peak_rss_bytes"] = ProcessStats.peakResidentBytes()
        result["devices_left"] = remaining
        return result
    }
}
