import CallingCore
import CallingEmulator
import CallingMobius
import CallingTransport
import Foundation

/// Keepalives of registered lines on a real loopback connection: `calling register`'s work
/// against an emulator in a child process, so that only the client's CPU is counted.
///
/// One run gives two rows: the SDK over a transport (`transport` = its name), then the same
/// requests at the same rate through the bare HTTP library with no SDK around it
/// (`transport` = `bare-<name>`). The SDK's row carries `sdk_overhead_percent`: how much more
/// CPU per keepalive it spends than the bare library.
public struct WireKeepaliveBenchmark: Sendable {
    /// Sends one prepared request with the bare HTTP library; returns the status.
    public typealias BareSender = @Sendable () async throws -> Int

    /// How many lines.
    public let lines: Int
    /// The keepalive interval registrations get.
    public let interval: Duration
    /// How long each row is measured.
    public let duration: Duration
    private let intervalNanos: Int64
    private let durationNanos: Int64

    /// Creates the benchmark.
    ///
    /// - Throws: ``BenchmarkError`` for an interval that is not whole seconds (Mobius states
    ///   keepalive intervals in seconds).
    public init(lines: Int, interval: Duration, duration: Duration) throws {
        guard BenchmarkTime.nanoseconds(interval) % 1_000_000_000 == 0 else {
            throw BenchmarkError("--path http needs a whole number of seconds for --interval-ms (Mobius states keepalive intervals in seconds)")
        }
        self.lines = lines
        self.interval = interval
        self.duration = duration
        self.intervalNanos = BenchmarkTime.nanoseconds(interval)
        self.durationNanos = BenchmarkTime.nanoseconds(duration)
    }

    /// Measures the SDK over `transport`, then the bare library at the same rate.
    ///
    /// - Parameters:
    ///   - name: The transport's name in the rows, for example `urlsession`.
    ///   - transport: The SDK's transport.
    ///   - bare: Prepares a request for the bare library.
    public func run(
        name: String, transport: any Transport, bare: @escaping @Sendable (HTTPRequest) -> BareSender
    ) async throws -> [BenchmarkResult] {
        let emulator = try EmulatorProcess.start(lines: lines, keepaliveIntervalSeconds: Int(intervalNanos / 1_000_000_000))
        defer { emulator.stop() }
        let time = BenchmarkTime.continuous()
        let window = KeepaliveWindow(lines: lines, intervalNanos: intervalNanos, duration: duration)
        let tally = KeepaliveTally(lines: lines, intervalNanos: intervalNanos, time: time)

        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: emulator.baseURL)
        let registrar = MobiusRegistrar(
            configuration: emulator.mobiusConfiguration, transport: TransportPipeline(middlewares: [tally], transport: transport), tokenProvider: store
        )
        let before = ProcessStats.residentBytes()
        let client = CallingClient(registrar: registrar)
        let runner = Task { try? await client.run() }
        _ = try await LinePacer.forEach(lines) { _ in
            let line = try await client.addLine()
            try await LinePacer.register(line)
            return line
        }
        let bytes = ProcessStats.residentBytes() - before
        var windowStart = time.now() + intervalNanos
        tally.schedule.startCounting(in: windowStart...(windowStart + durationNanos))
        let failedBefore = tally.failed
        let measured = await window.measure(until: windowStart + durationNanos, time: time)
        var sdk = window.result(
            labels: [("path", "http"), ("transport", name)], log: tally.schedule.log, windowStart: windowStart,
            firstDeadlines: tally.schedule.firstDeadlines, measured: measured, bytes: bytes
        )
        sdk["failed_requests"] = tally.failed - failedBefore
        runner.cancel()
        await runner.value

        let keepalives = tally.keepalives
        guard keepalives.count == lines else {
            throw BenchmarkError("only \(keepalives.count) of \(lines) lines sent a keepalive; the bare run needs each line's")
        }
        windowStart += (time.now() - windowStart) / intervalNanos * intervalNanos + intervalNanos
        let phases = keepalives.map { ($0.sent - windowStart).modulo(intervalNanos) }
        let (row, failed) = try await runBare(
            keepalives.map { bare($0.request) }, phases: phases, name: "bare-\(name)", window: window, windowStart: windowStart, time: time
        )
        var bareRow = row
        bareRow["failed_requests"] = failed
        if let sdkCost = sdk["cpu_ns_per_fire"] as? Double, let bareCost = bareRow["cpu_ns_per_fire"] as? Double, bareCost > 0 {
            sdk["sdk_overhead_percent"] = (sdkCost - bareCost) / bareCost * 100
        }
        return [sdk, bareRow]
    }

    /// The least a program sending these requests can do around the library: one driver task
    /// wakes at each instant (modulo the interval) the SDK sent requests at, and starts each
    /// request due then in a task of its own.
    private func runBare(
        _ senders: [BareSender], phases: [Int64], name: String, window: KeepaliveWindow, windowStart: Int64, time: BenchmarkTime
    ) async throws -> (BenchmarkResult, Int) {
        let end = windowStart + durationNanos
        let log = FireLog(lines: lines, window: windowStart...end)
        let failed = FailureCount()
        let order = phases.indices.sorted { phases[$0] < phases[$1] }
        let before = ProcessStats.residentBytes()
        let driver = Task {
            var round = windowStart - intervalNanos
            while round <= end {
                var index = order.startIndex
                while index < order.endIndex {
                    let deadline = round + phases[order[index]]
                    guard (try? await time.sleepUntil(deadline)) != nil else { return }
                    while index < order.endIndex, round + phases[order[index]] <= time.now() {
                        let line = order[index]
                        let due = round + phases[line]
                        let send = senders[line]
                        Task {
                            let sent = time.now()
                            if (try? await send()).map({ (200..<300).contains($0) }) != true {
                                failed.add()
                            }
                            log.recordIfCounted(line: line, deadline: due, now: sent)
                        }
                        index += 1
                    }
                }
                round += intervalNanos
            }
        }
        let bytes = ProcessStats.residentBytes() - before
        try? await time.sleepUntil(windowStart)
        let measured = await window.measure(until: end, time: time)
        driver.cancel()
        await driver.value
        let firsts = phases.map { windowStart + $0 }
        let row = window.result(
            labels: [("path", "http"), ("transport", name)], log: log, windowStart: windowStart, firstDeadlines: firsts, measured: measured, bytes: bytes
        )
        return (row, failed.value)
    }
}

extension Int64 {
    /// The remainder of division by `divisor`, never negative.
    fileprivate func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
