import CallingBenchmarkKit
import CallingCore
import CallingMobius
import CallingEmulator
import CallingTransport
import Foundation

/// N lines against the in-memory emulator on a fast clock, through a sequence of faults, each
/// followed by recovery; one row per fault. A row passes when every line is registered again
/// (`lines_registered_after` = N), no line stopped with a final error, and every line's events
/// came in an order a line can produce. The last row is the graceful shutdown: every device
/// removed from the emulator.
struct SoakBenchmark {
    let lines: Int
    let speed: Int

    /// What the soak drives.
    private struct Rig {
        let emulator: WebexEmulator
        let client: CallingClient
        let registrar: MobiusRegistrar
        let lines: [Line]
        let clock: ScaledClock
        let wall: @Sendable () -> Date
        let primary: RegistrarServer

        /// Lets `seconds` of the fast clock pass.
        func pass(_ seconds: Int) async throws {
            try await clock.sleep(for: .seconds(seconds))
        }

        /// `duration` of the fast clock, in real time (the emulator's delays are real).
        func real(_ duration: Duration) -> Duration {
            duration / clock.speed
        }
    }

    /// One fault: what it does to the emulator or the lines, in clock time.
    private struct Fault {
        let name: String
        let apply: @Sendable (Rig) async throws -> Void
    }

    /// Runs the soak, handing each row to `report` as its fault is over.
    ///
    /// - Returns: Whether every row passed.
    func run(report: @MainActor (BenchmarkResult) -> Void) async throws -> Bool {
        let clock = ScaledClock(speed: speed)
        let start = Date()
        let wall: @Sendable () -> Date = { start + clock.now.offset.timeInterval }
        // The emulator holds a silent registration for 6 intervals, past the client's 5 misses,
        // so keepalive faults show as misses; forgotten devices have faults of their own.
        let configuration = WebexEmulator.Configuration(
            keepaliveInterval: 30, rehomingIntervalMinutes: 1...2, deviceLimit: lines * 2, expiryIntervals: 6,
            primaryServers: ["primary", "primary2"], backupServers: ["backup"]
        )
        let emulator = WebexEmulator(configuration: configuration, now: wall)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(recordsRequests: false, handler: emulator.handler(baseURL: base))
        let tokens = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base, configuration: configuration, now: wall)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: tokens, now: wall)
        var settings = CallingClient.Configuration.defaults
        settings.shutdownTimeLimit = .seconds(600)
        settings.eventBufferSize = 1024
        let client = CallingClient(registrar: registrar, configuration: settings, clock: clock, wallClock: wall)
        let runner = Task { try await client.run() }
        let servers = try await client.start()

        let ledger = SoakLedger(lines: lines)
        var added: [Line] = []
        var readers: [Task<Void, Never>] = []
        for index in 0..<lines {
            let line = try await client.addLine()
            let events = line.events
            readers.append(Task {
                for await event in events {
                    ledger.record(event, line: index)
                }
            })
            added.append(line)
        }
        for line in added {
            try await line.register()
        }
        let rig = Rig(
            emulator: emulator, client: client, registrar: registrar, lines: added, clock: clock, wall: wall,
            primary: servers.primaries[0]
        )
        guard try await recovered(rig) == lines else {
            throw BenchmarkError("the \(lines) lines did not all register before the faults began")
        }
        _ = ledger.take()

        var passed = true
        for fault in Self.faults(lines: lines) {
            let began = (clock.now, ContinuousClock.now)
            try await fault.apply(rig)
            await emulator.clearFaults()
            let registered = try await recovered(rig)
            let counts = ledger.take()
            var row = row(fault.name, counts: counts, clockSeconds: clock.now.offset - began.0.offset, real: ContinuousClock.now - began.1)
            row["lines_registered_after"] = registered
            row["passed"] = registered == lines && counts.finalErrors == 0 && counts.outOfOrder == 0
            passed = passed && row["passed"] as? Bool == true
            await report(row)
        }

        let began = (clock.now, ContinuousClock.now)
        client.beginGracefulShutdown()
        try await runner.value
        for reader in readers {
            await reader.value
        }
        var unregistered = 0
        for line in added where await line.status == .idle {
            unregistered += 1
        }
        let counts = ledger.take()
        let left = await emulator.registeredDevices.count
        var row = row("graceful shutdown", counts: counts, clockSeconds: clock.now.offset - began.0.offset, real: ContinuousClock.now - began.1)
        row["lines_deregistered"] = unregistered
        row["devices_left"] = left
        row["passed"] = unregistered == lines && left == 0 && counts.finalErrors == 0 && counts.outOfOrder == 0
        await report(row)
        return passed && row["passed"] as? Bool == true
    }

    private func row(_ fault: String, counts: SoakLedger.Counts, clockSeconds: Duration, real: Duration) -> BenchmarkResult {
        var row = BenchmarkResult()
        row["benchmark"] = "soak"
        row["fault"] = fault
        row["lines"] = lines
        row["final_errors"] = counts.finalErrors
        if !counts.finalTypes.isEmpty {
            row["final_error_types"] = counts.finalTypes.sorted().joined(separator: " ")
        }
        row["not_found_errors"] = counts.notFound
        row["events_out_of_order"] = counts.outOfOrder
        row["events"] = counts.events
        row["clock_s"] = Int(clockSeconds.components.seconds)
        row["real_ms"] = Int(real.components.seconds * 1000 + real.components.attoseconds / 1_000_000_000_000_000)
        return row
    }

    /// Waits (at most 20 minutes of the fast clock) until every line is registered on a primary;
    /// returns how many are registered then.
    private func recovered(_ rig: Rig) async throws -> Int {
        let deadline = rig.clock.now.advanced(by: .seconds(1200))
        while true {
            var registered = 0
            var onPrimary = 0
            for line in rig.lines {
                let info = await line.info
                if info.status == .active {
                    registered += 1
                    onPrimary += info.isOnBackup ? 0 : 1
                }
            }
            if onPrimary == rig.lines.count || rig.clock.now >= deadline {
                return registered
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The sequence the issue names, each long enough on the clock for its effect to play out.
    private static func faults(lines: Int) -> [Fault] {
        [
            Fault(name: "primary refused") { rig in
                await rig.emulator.setOutage(.connectionRefused, server: "primary")
                try await rig.pass(240)
            },
            Fault(name: "all primaries down") { rig in
                await rig.emulator.setOutage(.connectionRefused, server: "primary")
                await rig.emulator.setOutage(.serviceUnavailable, server: "primary2")
                try await rig.pass(420)
            },
            Fault(name: "backup down while on the backup") { rig in
                await rig.emulator.setOutage(.connectionRefused, server: "primary")
                await rig.emulator.setOutage(.connectionRefused, server: "primary2")
                try await rig.pass(420)
                await rig.emulator.setOutage(.connectionRefused, server: "backup")
                try await rig.pass(200)
            },
            Fault(name: "burst of 5xx") { rig in
                await rig.emulator.inject(EmulatorFault(status: 503), count: 3 * lines, into: .keepalive)
                await rig.emulator.inject(EmulatorFault(status: 500), count: lines, into: .keepalive)
                try await rig.pass(180)
            },
            Fault(name: "429 with seconds") { rig in
                await rig.emulator.inject(EmulatorFault(status: 429, retryAfter: "20"), count: lines, into: .keepalive)
                try await rig.pass(90)
            },
            Fault(name: "429 with an HTTP date") { rig in
                await rig.emulator.inject(EmulatorFault(status: 429, retryAfter: httpDate(rig.wall() + 40)), count: lines, into: .register)
                await rig.emulator.forgetRegistrations()
                try await rig.pass(150)
            },
            Fault(name: "401 mid-keepalive") { rig in
                await rig.emulator.expireAccessTokens()
                try await rig.pass(60)
            },
            Fault(name: "token endpoint 503 burst during a refresh") { rig in
                await rig.emulator.inject(EmulatorFault(status: 503), count: 3, into: .token)
                await rig.emulator.expireAccessTokens()
                try await rig.pass(150)
            },
            Fault(name: "403/101 device limit") { rig in
                // Devices of the same user on other clients, which the 403/101 answers list.
                var answers: [EmulatorFault] = []
                for number in 0..<max(1, lines / 10) {
                    let foreign = LineDevice(userID: rig.emulator.configuration.userID, deviceURL: "https://wdm.invalid/foreign-\(number)")
                    let result = await rig.registrar.register(foreign, at: rig.primary)
                    guard case .succeeded(let registration) = result.kind else {
                        throw BenchmarkError("the soak could not register a foreign device: \(result.error.map { "\($0)" } ?? "?")")
                    }
                    let id = registration.device.deviceID
                    answers.append(EmulatorFault(
                        status: 403,
                        body: #"{"errorCode":101,"devices":[{"deviceId":"\#(id)","uri":"\#(rig.primary)devices/\#(id)","clientDeviceUri":"\#(foreign.deviceURL)"}]}"#
                    ))
                }
                // One line at a time, so that each meets its own 403/101 and then registers in
                // the listed device's place (another line's answer would be a second 101: final).
                for (answer, line) in zip(answers, rig.lines) {
                    await rig.emulator.inject(answer, into: .register)
                    await line.deregister()
                    try await line.register()
                    while await line.status != .active, await !line.isStopped {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                try await rig.pass(60)
            },
            Fault(name: "404 on keepalive") { rig in
                await rig.emulator.inject(EmulatorFault(status: 404, body: #"{"message":"Device not found."}"#), count: lines / 4, into: .keepalive)
                try await rig.pass(60)
            },
            Fault(name: "answers slower than the interval") { rig in
                await rig.emulator.setDelay(rig.real(.seconds(45)), for: .keepalive)
                try await rig.pass(240)
            },
            Fault(name: "malformed JSON") { rig in
                await rig.emulator.inject(.malformedBody, count: lines, into: .register)
                await rig.emulator.inject(EmulatorFault(status: 404), count: lines, into: .keepalive)
                try await rig.pass(90)
            },
            Fault(name: "server restart forgets every device") { rig in
                await rig.emulator.forgetRegistrations()
                try await rig.pass(60)
            },
            Fault(name: "register/deregister toggled rapidly") { rig in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for line in rig.lines {
                        group.addTask {
                            for _ in 0..<3 {
                                await line.deregister()
                                try await line.register()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            },
        ]
    }

    private static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
