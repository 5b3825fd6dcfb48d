import CallingBenchmarkKit
import CallingCore
import CallingMobius
import CallingTransport
import Foundation

/// Keepalives of many simulated lines: the production scheduler, the naive one-task-per-line
/// design, or the full keepalive path of registered lines.
struct KeepaliveBenchmark {
    enum Design: String { case production, naive }
    enum Path: String { case scheduler, full, http }

    let lines: Int
    let interval: Duration
    let duration: Duration
    let design: Design
    let path: Path

    var intervalNanos: Int64 { interval.nanoseconds }

    func run() async throws -> BenchmarkResult {
        switch (design, path) {
        case (.production, .scheduler): return await runScheduler()
        case (.naive, .scheduler): return await runNaive()
        case (.production, .full): return try await runFull()
        case (_, .http): throw BenchmarkError("--path http runs through WireKeepaliveBenchmark")
        case (.naive, .full): throw BenchmarkError("--design naive has only --path scheduler: it is the baseline for the scheduler")
        }
    }

    /// Random phases in [0, interval), the same for both designs.
    private func phases() -> [Int64] {
        var generator = SplitMix64(seed: 42)
        return (0..<lines).map { _ in Int64(generator.next() % UInt64(intervalNanos)) }
    }

    /// The real `KeepaliveScheduler`, each fire a no-op that records its lateness.
    private func runScheduler() async -> BenchmarkResult {
        let time = TimeSource(clock: ContinuousClock(), date: { Date() })
        let warmUpStart = time.now().nanoseconds + intervalNanos
        let windowStart = warmUpStart + intervalNanos
        let log = FireLog(lines: lines, window: windowStart...(windowStart + duration.nanoseconds))
        let targets = (0..<lines).map { NoOpTarget(line: $0, log: log, time: time) }
        let scheduler = KeepaliveScheduler(time: time, tolerance: CallingClient.Configuration.defaults.keepaliveTolerance)
        let before = ProcessStats.residentBytes()
        for (target, phase) in zip(targets, phases()) {
            _ = scheduler.schedule(target, every: interval, firstDeadline: .nanoseconds(warmUpStart + phase))
        }
        let schedulerBytes = ProcessStats.residentBytes() - before
        let driver = Task { await scheduler.run() }
        try? await time.sleepUntil(.nanoseconds(windowStart))
        let measured = await window.measure(until: windowStart + duration.nanoseconds, time: BenchmarkTime(time))
        driver.cancel()
        await driver.value
        return result(log: log, windowStart: windowStart, measured: measured, bytes: schedulerBytes)
    }

    /// One task per line sleeping until its next deadline: what a first implementation writes.
    private func runNaive() async -> BenchmarkResult {
        let time = TimeSource(clock: ContinuousClock(), date: { Date() })
        let windowStart = time.now().nanoseconds + intervalNanos
        let end = windowStart + duration.nanoseconds
        let log = FireLog(lines: lines, window: windowStart...end)
        let interval = intervalNanos
        let before = ProcessStats.residentBytes()
        let tasks = phases().enumerated().map { line, phase in
            Task {
                var next = windowStart + phase
                while next <= end {
                    guard (try? await time.sleepUntil(.nanoseconds(next))) != nil else { return }
                    log.recordIfCounted(line: line, deadline: next, now: time.now().nanoseconds)
                    next += interval
                }
            }
        }
        try? await Task.sleep(for: .milliseconds(200))
        let taskBytes = ProcessStats.residentBytes() - before
        let measured = await window.measure(until: end, time: BenchmarkTime(time))
        tasks.forEach { $0.cancel() }
        for task in tasks {
            await task.value
        }
        return result(log: log, windowStart: windowStart, measured: measured, bytes: taskBytes)
    }

    /// Registered lines of a real `CallingClient`: scheduler, line actor, Mobius registrar,
    /// middleware chain, in-memory transport and answer classification, per keepalive.
    private func runFull() async throws -> BenchmarkResult {
        guard intervalNanos % 1_000_000_000 == 0 else {
            throw BenchmarkError("--path full needs a whole number of seconds for --interval-ms (Mobius states keepalive intervals in seconds)")
        }
        let log = FireLog(lines: lines, window: .max ... .max)
        let backend = CountingMobius(lines: lines, intervalSeconds: Int(intervalNanos / 1_000_000_000), log: log)
        var configuration = MobiusRegistrar.Configuration.emulator(baseURL: URL(string: "https://bench.invalid")!)
        configuration.region = .init(regionCode: "BENCH", countryCode: "XX")
        let registrar = MobiusRegistrar(
            configuration: configuration,
            transport: InMemoryTransport(recordsRequests: false, handler: backend.handler),
            tokenProvider: FixedToken()
        )
        let before = ProcessStats.residentBytes()
        let client = CallingClient(registrar: registrar)
        let runner = Task { try? await client.run() }
        _ = try await LinePacer.forEach(lines) { index in
            let line = try await client.addLine(LineOptions(device: LineDevice(userID: "bench", deviceURL: "dev-\(index)")))
            try await LinePacer.register(line)
            return line
        }
        let bytes = ProcessStats.residentBytes() - before
        let windowStart = backend.time.now().nanoseconds + intervalNanos
        backend.startCounting(in: windowStart...(windowStart + duration.nanoseconds))
        let measured = await window.measure(until: windowStart + duration.nanoseconds, time: BenchmarkTime(backend.time))
        runner.cancel()
        await runner.value
        return result(log: log, windowStart: windowStart, measured: measured, bytes: bytes, firstDeadlines: backend.firstDeadlines)
    }

    private var window: KeepaliveWindow {
        KeepaliveWindow(lines: lines, intervalNanos: intervalNanos, duration: duration)
    }

    private func result(
        log: FireLog, windowStart: Int64, measured: KeepaliveWindow.Measurement, bytes: Int, firstDeadlines: [Int64]? = nil
    ) -> BenchmarkResult {
        window.result(
            labels: [("design", design.rawValue), ("path", path.rawValue)], log: log, windowStart: windowStart,
            firstDeadlines: firstDeadlines ?? phases().map { windowStart + $0 }, measured: measured, bytes: bytes
        )
    }
}

/// A scheduler target that only records its keepalive fires (it never waits for a deadline).
final class NoOpTarget: SchedulerTarget {
    let line: Int
    let log: FireLog
    let time: TimeSource

    init(line: Int, log: FireLog, time: TimeSource) {
        self.line = line
        self.log = log
        self.time = time
    }

    func keepaliveDue(deadline: Duration) {
        log.recordIfCounted(line: line, deadline: deadline.nanoseconds, now: time.now().nanoseconds)
    }

    func deadlineReached(_ handle: KeepaliveScheduler.Handle) {}
}

/// A token provider with one token that never needs refreshing.
struct FixedToken: AccessTokenProvider {
    var token = Secret("bench-token")

    func accessToken() async throws -> Secret { token }
    func refreshedAccessToken(replacing rejected: Secret) async throws -> Secret { rejected }
}
