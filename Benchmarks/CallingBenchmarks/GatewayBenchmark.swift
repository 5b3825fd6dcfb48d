import CallingAuth
import CallingBenchmarkKit
import CallingCore
import CallingEmulator
import CallingMobius
import CallingTransport
import Foundation

/// Many users' lines in one client, as a gateway keeps them: every user with its own token store
/// and registrar, against the in-memory emulator on a fast clock. Rows: registration, steady
/// keepalives, a refresh storm (every token issued in the same second comes due together), a
/// mass failover (the primary refuses; every line moves to the backup), rehoming (the primary
/// is back) and a graceful shutdown. The same number of lines of one user runs next
/// (registration, steady, shutdown), so the two shapes compare in one run. The gateway runs
/// first, in a fresh process, so its memory per line is not flattered by freed memory reused.
struct GatewayBenchmark {
    let users: Int
    let linesPerUser: Int
    let speed: Int

    private var lines: Int { users * linesPerUser }

    /// The tokens live ten minutes, so the storm comes soon after the steady row.
    private static let tokenLifetime = Duration.seconds(600)

    /// What one shape runs on.
    private struct Rig {
        let emulator: WebexEmulator
        let client: CallingClient
        let runner: Task<Void, any Error>
        let clock: ScaledClock
        let limit: TokenRefreshLimit
        let lines: [Line]
        let shape: String
        let users: Int
        /// Resident memory before the users and lines were made.
        let memoryBefore: Int
        /// Keepalive misses and final errors the lines reported, from the steady row on.
        let misses: Locked<(reconnecting: Int, errors: Int)>

        func pass(_ seconds: Int) async throws {
            try await clock.sleep(for: .seconds(seconds))
        }

        func row(_ name: String) -> BenchmarkResult {
            var row = BenchmarkResult()
            row["benchmark"] = "gateway"
            row["row"] = name
            row["shape"] = shape
            row["users"] = users
            row["lines"] = lines.count
            return row
        }

        /// Lines the emulator holds on `server`.
        func registered(on server: String) async -> Int {
            await emulator.registeredDevices.count { $0.server == server }
        }

        /// Waits (on the fast clock, at most `limit` seconds of it) until `condition` holds;
        /// the clock seconds it took, or nil.
        func seconds(within limit: Int, until condition: () async -> Bool, sample: () async -> Void = {}) async throws -> Double? {
            let start = clock.now
            while clock.now.offset - start.offset < .seconds(limit) {
                await sample()
                if await condition() {
                    return (clock.now.offset - start.offset).timeInterval
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
    }

    /// Runs both shapes, handing each row to `report`; whether every row passed.
    func run(report: @MainActor (BenchmarkResult) -> Void) async throws -> Bool {
        var rows: [BenchmarkResult] = []
        let gateway = try await rig(users: users, linesPerUser: linesPerUser, shape: "gateway")
        rows.append(gateway.registration)
        rows.append(try await steady(gateway.rig))
        rows.append(try await refreshStorm(gateway.rig))
        rows.append(contentsOf: try await failoverAndRehoming(gateway.rig))
        rows.append(try await shutDown(gateway.rig))
        let single = try await rig(users: 1, linesPerUser: lines, shape: "one_user")
        rows.append(single.registration)
        rows.append(try await steady(single.rig))
        rows.append(try await shutDown(single.rig))
        var passed = true
        for row in rows {
            passed = passed && row["passed"] as? Bool == true
            await report(row)
        }
        return passed
    }

    /// Two keepalive intervals of registered lines: CPU per keepalive, memory per line (with
    /// its user's token store and registrar), threads. Then every line's events are watched.
    private func steady(_ rig: Rig) async throws -> BenchmarkResult {
        let keepalivesBefore = await rig.emulator.requestCounts[.keepalive] ?? 0
        let cpuBefore = ProcessStats.cpuSeconds()
        try await rig.pass(60)
        let cpu = ProcessStats.cpuSeconds() - cpuBefore
        let keepalives = (await rig.emulator.requestCounts[.keepalive] ?? 0) - keepalivesBefore
        var row = rig.row("steady")
        row["cpu_ns_per_keepalive"] = keepalives > 0 ? cpu * 1e9 / Double(keepalives) : 0
        row["keepalives"] = keepalives
        row["bytes_per_line"] = (ProcessStats.residentBytes() - rig.memoryBefore) / max(rig.lines.count, 1)
        row["threads"] = ProcessStats.threads()
        let expected = rig.lines.count * 2
        row["passed"] = keepalives >= expected * 9 / 10 && keepalives <= expected * 11 / 10
        for line in rig.lines {
            let events = line.events
            let misses = rig.misses
            Task {
                for await event in events {
                    switch event {
                    case .reconnecting: misses.withLock { $0.reconnecting += 1 }
                    case .error: misses.withLock { $0.errors += 1 }
                    default: break
                    }
                }
            }
        }
        return row
    }

    /// Every token was issued in the same second; they come due together, ten minutes in.
    private func refreshStorm(_ rig: Rig) async throws -> BenchmarkResult {
        let refreshesBefore = await rig.emulator.requestCounts[.token] ?? 0
        let due = Self.tokenLifetime - rig.clock.now.offset
        try await rig.pass(Int(due.components.seconds))
        let users = rig.users
        let emulator = rig.emulator
        let took = try await rig.seconds(within: 300) {
            (await emulator.requestCounts[.token] ?? 0) - refreshesBefore >= users
        }
        var stopped = 0
        for line in rig.lines where await line.isStopped {
            stopped += 1
        }
        let misses = rig.misses.withLock { $0 }
        var row = rig.row("refresh_storm")
        row["refreshes"] = (await emulator.requestCounts[.token] ?? 0) - refreshesBefore
        row["peak_in_flight"] = rig.limit.mostInFlight
        row["limit"] = rig.limit.maximumInFlight
        row["keepalives_missed"] = misses.reconnecting
        row["lines_stopped"] = stopped
        row["passed"] = took != nil && rig.limit.mostInFlight <= rig.limit.maximumInFlight && misses.reconnecting == 0 && stopped == 0
        return row
    }

    /// The primary refuses connections: every line misses its keepalives, reconnects, exhausts
    /// the primary budget and registers on the backup; then the primary comes back and every
    /// line rehomes after its window.
    private func failoverAndRehoming(_ rig: Rig) async throws -> [BenchmarkResult] {
        ProcessStats.resetPeakResident()
        let steadyMemory = ProcessStats.residentBytes()
        let emulator = rig.emulator
        let count = rig.lines.count
        var lastRequests = await emulator.requestCounts.values.reduce(0, +)
        var lastTime = rig.clock.now
        var peakRate = 0.0
        var peakThreads = ProcessStats.threads()
        let clock = rig.clock
        await emulator.setOutage(.connectionRefused, server: "primary")
        // 5 misses (150 s), the 114 s primary budget, a backup attempt and jitter: within 330 s.
        let failover = try await rig.seconds(within: 600) {
            await emulator.registeredDevices.count { $0.server == "backup" } == count
        } sample: {
            let requests = await emulator.requestCounts.values.reduce(0, +)
            let elapsed = (clock.now.offset - lastTime.offset).timeInterval
            if elapsed >= 1 {
                peakRate = max(peakRate, Double(requests - lastRequests) / elapsed)
                (lastRequests, lastTime) = (requests, clock.now)
            }
            peakThreads = max(peakThreads, ProcessStats.threads())
        }
        let peakMemory = ProcessStats.peakResidentBytes()
        var failed = rig.row("mass_failover")
        failed["seconds"] = failover ?? -1
        failed["peak_requests_per_s"] = peakRate
        failed["peak_rss_bytes"] = peakMemory
        failed["steady_rss_bytes"] = steadyMemory
        failed["threads"] = peakThreads
        failed["passed"] = (failover ?? .infinity) <= 330 && Double(peakMemory) <= 1.5 * Double(steadyMemory)

        await emulator.setOutage(nil, server: "primary")
        // Windows of 1–2 minutes, then a ping, a DELETE and a registration each.
        let rehomed = try await rig.seconds(within: 600) {
            await emulator.registeredDevices.count { $0.server == "primary" } == count
        }
        var back = rig.row("rehoming")
        back["seconds"] = rehomed ?? -1
        back["passed"] = (rehomed ?? .infinity) <= 150
        return [failed, back]
    }

    /// A graceful shutdown: every line deregistered, nothing left at the emulator.
    private func shutDown(_ rig: Rig) async throws -> BenchmarkResult {
        rig.client.beginGracefulShutdown()
        try await rig.runner.value
        let left = await rig.emulator.registeredDevices.count
        var row = rig.row("shutdown")
        row["devices_left"] = left
        row["final_errors"] = rig.misses.withLock(\.errors)
        row["passed"] = left == 0
        return row
    }

    private func rig(users: Int, linesPerUser: Int, shape: String) async throws -> (rig: Rig, registration: BenchmarkResult) {
        let clock = ScaledClock(speed: speed)
        let start = Date()
        let wall: @Sendable () -> Date = { start + clock.now.offset.timeInterval }
        var configuration = WebexEmulator.Configuration(
            keepaliveInterval: 30, rehomingIntervalMinutes: 1...2, deviceLimit: linesPerUser * 2, expiryIntervals: 6,
            primaryServers: ["primary"], backupServers: ["backup"]
        )
        configuration.accessTokenLifetime = Self.tokenLifetime
        let emulator = WebexEmulator(configuration: configuration, now: wall)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(recordsRequests: false, handler: emulator.handler(baseURL: base))
        let oauth = EmulatorLogin.client(transport: transport, baseURL: base, configuration: configuration)
        let limit = TokenRefreshLimit()
        var storeConfiguration = TokenStore.Configuration.defaults
        storeConfiguration.refreshLimit = limit
        var settings = CallingClient.Configuration.defaults
        settings.shutdownTimeLimit = .seconds(600)
        let client = CallingClient(configuration: settings, clock: clock, wallClock: wall)
        let runner = Task { try await client.run() }

        let memoryBefore = ProcessStats.residentBytes()
        let cpuBefore = ProcessStats.cpuSeconds()
        let began = ContinuousClock.now
        let registrars = try await makeRegistrars(
            emulator: emulator, users: users, oauth: oauth, store: storeConfiguration, transport: transport, base: base, wall: wall
        )
        let lines = try await LinePacer.forEach(users * linesPerUser) { index in
            let line = try await client.addLine(using: registrars[index / linesPerUser])
            try await LinePacer.register(line)
            return line
        }
        let elapsed = began.duration(to: .now).timeInterval
        let rig = Rig(
            emulator: emulator, client: client, runner: runner, clock: clock, limit: limit, lines: lines, shape: shape, users: users,
            memoryBefore: memoryBefore, misses: Locked((0, 0))
        )
        var row = rig.row("registration")
        row["lines_per_s"] = Double(lines.count) / elapsed
        row["cpu_s"] = ProcessStats.cpuSeconds() - cpuBefore
        let registered = await rig.registered(on: "primary")
        row["registered"] = registered
        row["passed"] = registered == lines.count
        return (rig, row)
    }

    private func makeRegistrars(
        emulator: WebexEmulator, users: Int, oauth: OAuthClient, store: TokenStore.Configuration, transport: InMemoryTransport, base: URL,
        wall: @escaping @Sendable () -> Date
    ) async throws -> [MobiusRegistrar] {
        var registrars: [MobiusRegistrar] = []
        registrars.reserveCapacity(users)
        for user in await emulator.addUsers(users) {
            let tokens = TokenStore(client: oauth, persistence: MemoryTokenPersistence(), configuration: store, now: wall)
            try await tokens.login(with: user.tokens)
            registrars.append(MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: tokens, now: wall))
        }
        return registrars
    }
}
