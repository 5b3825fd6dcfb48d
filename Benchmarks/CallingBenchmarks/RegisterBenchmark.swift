import CallingCore
import CallingEmulator
import CallingTransport
import Foundation

/// Lines registered and deregistered per second through the full client, against the emulator
/// in memory (device manager, Mobius, Bearer checks and all).
struct RegisterBenchmark {
    let lines: Int

    func run() async throws -> BenchmarkResult {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.deviceLimit = lines
        let emulator = WebexEmulator(configuration: configuration)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(recordsRequests: false, handler: emulator.handler(baseURL: base))
        let tokens = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: tokens)
        let client = CallingClient(registrar: registrar)
        let runner = Task { await client.run() }
        try await client.start()

        let clock = ContinuousClock()
        let started = clock.now
        let cpu = ProcessStats.cpuSeconds()
        var all: [Line] = []
        all.reserveCapacity(lines)
        var pending: [LineEvents] = []
        for _ in 0..<lines {
            let line = try await client.addLine()
            pending.append(line.events)
            await line.register()
            all.append(line)
            if pending.count == Self.window {
                try await Self.wait(for: .registered, on: pending.removeFirst())
            }
        }
        for events in pending {
            try await Self.wait(for: .registered, on: events)
        }
        pending = []
        let registered = clock.now
        for line in all {
            pending.append(line.events)
            await line.deregister()
            if pending.count == Self.window {
                try await Self.wait(for: .unregistered, on: pending.removeFirst())
            }
        }
        for events in pending {
            try await Self.wait(for: .unregistered, on: events)
        }
        let finished = clock.now
        let cpuSeconds = ProcessStats.cpuSeconds() - cpu
        let left = await emulator.registeredDevices.count
        runner.cancel()
        await runner.value

        var result = BenchmarkResult()
        result["benchmark"] = "register"
        result["lines"] = lines
        result["lines_per_s"] = Double(lines) / started.duration(to: finished).timeInterval
        result["register_s"] = started.duration(to: registered).timeInterval
        result["deregister_s"] = registered.duration(to: finished).timeInterval
        result["cpu_s"] = cpuSeconds
        result["peak_rss_bytes"] = ProcessStats.peakResidentBytes()
        result["devices_left"] = left
        return result
    }

    /// How many registrations (or deregistrations) may be under way at once, as an app with
    /// many lines would pace them: without a limit, every line's request, task and answer
    /// waits in memory at once, and the peak RSS measures that queue instead of the lines.
    private static let window = 256

    private enum Outcome { case registered, unregistered }

    private static func wait(for outcome: Outcome, on events: LineEvents) async throws {
        for await event in events {
            switch (outcome, event) {
            case (.registered, .registered), (.unregistered, .unregistered): return
            case (_, .error(let error)): throw BenchmarkError("a line failed: \(error)")
            default: continue
            }
        }
    }
}
