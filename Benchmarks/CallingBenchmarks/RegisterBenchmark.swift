import CallingCore
import CallingMobius
import CallingEmulator
import CallingTransport
import Foundation

/// Lines registered and deregistered per second through the full client, against the emulator
/// in memory (Mobius, Bearer checks and all).
struct RegisterBenchmark {
    /// When the lines' devices are created at the device manager.
    enum Devices: String {
        /// Before the clock starts, as a server that keeps its devices has them already.
        case before
        /// Inside the measured time: one device-manager request more per line.
        case timed
    }

    let lines: Int
    let devices: Devices

    func run() async throws -> BenchmarkResult {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.deviceLimit = lines
        let emulator = WebexEmulator(configuration: configuration)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(recordsRequests: false, handler: emulator.handler(baseURL: base))
        let tokens = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: tokens)
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
        let left = await emulator.registeredDevices.count
        runner.cancel()
        await runner.value

        var result = BenchmarkResult()
        result["benchmark"] = "register"
        result["lines"] = lines
        result["devices"] = devices.rawValue
        result["lines_per_s"] = Double(lines) / started.duration(to: finished).timeInterval
        result["register_s"] = started.duration(to: registered).timeInterval
        result["deregister_s"] = registered.duration(to: finished).timeInterval
        result["cpu_s"] = cpuSeconds
        result["peak_rss_bytes"] = ProcessStats.peakResidentBytes()
        result["devices_left"] = left
        return result
    }
}
