import CallingBenchmarkKit
import CallingSIP
import CallingTransport
import Foundation

/// `calling-bench`: keepalive scheduling, registration throughput and the fault soak, printed as rows or JSON.
let usage = """
    usage: calling-bench <benchmark> [options]

      keepalive --lines N --interval-ms I --duration-s D [--path scheduler|full|http] [--design production|naive] [--json]
                N simulated lines, each due every I ms (phases spread at random), for D seconds:
                fires, CPU per keepalive, memory per line, lateness p50/p99/p99.9/max, threads.
                --path full: registered lines of a real client over the in-memory transport.
                --path http: registered lines over URLSession to the emulator on loopback (in a
                child process, so its CPU is not counted), then the same requests at the same
                rate through a bare URLSession loop: a row for each (transport urlsession and
                bare-urlsession; sdk_overhead_percent on the first).
      compare   --lines N --interval-ms I --duration-s D [--path scheduler] [--json]
                production and naive, one after the other, and their ratios.
      register  --lines N [--devices before|timed] [--backend mobius|sip] [--transport udp|tcp] [--json]
                N lines registered and deregistered through the full client against the
                in-memory emulator: lines per second and peak memory. Their devices are
                created at the device manager before the clock starts (as a server that
                keeps its devices has them), or with --devices timed inside the measure.
                --backend sip registers N contacts of one user with the project's Kamailio
                (started on 127.0.0.1 for the run) over real UDP or TCP.
      gateway   [--users N] [--lines-per-user K] [--speed X] [--json]
                N users (default 2000) with K lines each (default 1), every user with its own
                token store and registrar, in one client against the in-memory emulator on a
                clock X times faster than real time (default 100): registration, steady
                keepalives, a refresh storm, a mass failover, rehoming and a graceful shutdown;
                then the same number of lines of one user (registration, steady, shutdown).
                One row each, exit 1 if any row fails.
      soak      [--lines N] [--speed X] [--json]
                N lines (default 200) against the in-memory emulator on a clock X times
                faster than real time (default 100), through a sequence of faults, each
                followed by recovery; one row per fault, exit 1 if any row fails.

    Run it with `swift run -c release calling-bench …`: debug builds print a warning and their
    figures are not comparable.
    """

await EmulatorProcess.serveIfAsked(Array(CommandLine.arguments.dropFirst()))

#if DEBUG
Output.warn("""
    ************************************************************************
    calling-bench: this is a DEBUG build. Its figures are not comparable.
    Run: swift run -c release calling-bench …
    ************************************************************************
    """)
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard let benchmark = arguments.first, !["-h", "--help", "help"].contains(benchmark) else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}

func keepalive(_ options: inout BenchmarkOptions, design: KeepaliveBenchmark.Design) throws -> KeepaliveBenchmark {
    KeepaliveBenchmark(
        lines: try options.number("lines", default: 10_000),
        interval: .milliseconds(try options.number("interval-ms", default: 1000)),
        duration: .seconds(try options.number("duration-s", default: 5)),
        design: design,
        path: try options.choice("path", default: KeepaliveBenchmark.Path.scheduler)
    )
}

do {
    var options = try BenchmarkOptions(benchmark: benchmark, arguments: arguments.dropFirst(), program: "calling-bench")
    let json = options.json
    let report: @MainActor @Sendable (BenchmarkResult) -> Void = { result in print(json ? result.json() : result.text()) }
    switch benchmark {
    case "keepalive":
        let run = try keepalive(&options, design: try options.choice("design", default: KeepaliveBenchmark.Design.production))
        try options.checkUnused()
        if run.path == .http {
            guard run.design == .production else { throw BenchmarkError("--design naive has only --path scheduler: it is the baseline for the scheduler") }
            let wire = try WireKeepaliveBenchmark(lines: run.lines, interval: run.interval, duration: run.duration)
            let bare = BareURLSession()
            for row in try await wire.run(name: "urlsession", transport: URLSessionTransport(), bare: bare.sender(for:)) {
                report(row)
            }
        } else {
            report(try await run.run())
        }
    case "compare":
        let production = try keepalive(&options, design: .production)
        try options.checkUnused()
        let naive = KeepaliveBenchmark(lines: production.lines, interval: production.interval, duration: production.duration, design: .naive, path: .scheduler)
        let fast = try await production.run()
        let slow = try await naive.run()
        report(fast)
        report(slow)
        var ratios = BenchmarkResult()
        ratios["benchmark"] = "compare"
        ratios["lines"] = production.lines
        for field in ["cpu_ns_per_fire", "bytes_per_line", "late_p99_ms"] {
            let (a, b) = ((fast[field] as? Double) ?? 0, (slow[field] as? Double) ?? 0)
            ratios["naive_over_production_\(field)"] = a > 0 ? b / a : .infinity
        }
        report(ratios)
    case "register":
        let backend = try options.choice("backend", default: RegisterBenchmark.Backend.mobius)
        let run = RegisterBenchmark(
            lines: try options.number("lines", default: backend == .sip ? 200 : 10_000),
            devices: try options.choice("devices", default: RegisterBenchmark.Devices.before),
            backend: backend, transport: try options.choice("transport", default: SIPTransport.udp)
        )
        try options.checkUnused()
        report(try await run.run())
    case "gateway":
        let run = GatewayBenchmark(
            users: try options.number("users", default: 2000), linesPerUser: try options.number("lines-per-user", default: 1),
            speed: try options.number("speed", default: 100)
        )
        try options.checkUnused()
        guard try await run.run(report: report) else {
            Output.warn("calling-bench gateway: a row failed")
            exit(1)
        }
    case "soak":
        let run = SoakBenchmark(lines: try options.number("lines", default: 200), speed: try options.number("speed", default: 100))
        try options.checkUnused()
        guard try await run.run(report: report) else {
            Output.warn("calling-bench soak: a row failed")
            exit(1)
        }
    default:
        Output.warn("calling-bench: unknown benchmark '\(benchmark)'; run `calling-bench --help`")
        exit(2)
    }
} catch let error as BenchmarkError {
    Output.warn("calling-bench: \(error)")
    exit(2)
} catch {
    Output.warn("calling-bench: \(error)")
    exit(1)
}
