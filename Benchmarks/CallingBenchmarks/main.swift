import CallingSIP
import Foundation

/// `calling-bench`: keepalive scheduling, registration throughput and the fault soak, printed as rows or JSON.
let usage = """
    usage: calling-bench <benchmark> [options]

      keepalive --lines N --interval-ms I --duration-s D [--path scheduler|full] [--design production|naive] [--json]
                N simulated lines, each due every I ms (phases spread at random), for D seconds:
                fires, CPU per keepalive, memory per line, lateness p50/p99/p99.9/max, threads.
      compare   --lines N --interval-ms I --duration-s D [--path scheduler] [--json]
                production and naive, one after the other, and their ratios.
      register  --lines N [--devices before|timed] [--backend mobius|sip] [--transport udp|tcp] [--json]
                N lines registered and deregistered through the full client against the
                in-memory emulator: lines per second and peak memory. Their devices are
                created at the device manager before the clock starts (as a server that
                keeps its devices has them), or with --devices timed inside the measure.
                --backend sip registers N contacts of one user with the project's Kamailio
                (started on 127.0.0.1 for the run) over real UDP or TCP.
      soak      [--lines N] [--speed X] [--json]
                N lines (default 200) against the in-memory emulator on a clock X times
                faster than real time (default 100), through a sequence of faults, each
                followed by recovery; one row per fault, exit 1 if any row fails.

    Run it with `swift run -c release calling-bench …`: debug builds print a warning and their
    figures are not comparable.
    """

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

var options: [String: String] = [:]
var json = false
var rest = arguments.dropFirst()[...]
while let argument = rest.popFirst() {
    if argument == "--json" {
        json = true
    } else if argument.hasPrefix("--"), let value = rest.popFirst() {
        options[String(argument.dropFirst(2))] = value
    } else {
        Output.warn("calling-bench: unexpected '\(argument)'; run `calling-bench --help`")
        exit(2)
    }
}

@MainActor
func number(_ name: String, default fallback: Int) -> Int {
    guard let text = options.removeValue(forKey: name) else { return fallback }
    guard let value = Int(text), value > 0 else {
        Output.warn("calling-bench: --\(name) must be a positive whole number, not '\(text)'")
        exit(2)
    }
    return value
}

@MainActor
func choice<T: RawRepresentable>(_ name: String, default fallback: T) -> T where T.RawValue == String {
    guard let text = options.removeValue(forKey: name) else { return fallback }
    guard let value = T(rawValue: text) else {
        Output.warn("calling-bench: --\(name) '\(text)' is not a valid choice")
        exit(2)
    }
    return value
}

@MainActor
func keepalive(design: KeepaliveBenchmark.Design) -> KeepaliveBenchmark {
    KeepaliveBenchmark(
        lines: number("lines", default: 10_000),
        interval: .milliseconds(number("interval-ms", default: 1000)),
        duration: .seconds(number("duration-s", default: 5)),
        design: design,
        path: choice("path", default: KeepaliveBenchmark.Path.scheduler)
    )
}

@MainActor
func report(_ result: BenchmarkResult) {
    print(json ? result.json() : result.text())
}

do {
    switch benchmark {
    case "keepalive":
        let run = keepalive(design: choice("design", default: KeepaliveBenchmark.Design.production))
        try Output.checkUnused(options)
        report(try await run.run())
    case "compare":
        let production = keepalive(design: .production)
        try Output.checkUnused(options)
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
        let backend = choice("backend", default: RegisterBenchmark.Backend.mobius)
        let run = RegisterBenchmark(
            lines: number("lines", default: backend == .sip ? 200 : 10_000), devices: choice("devices", default: RegisterBenchmark.Devices.before),
            backend: backend, transport: choice("transport", default: SIPTransport.udp)
        )
        try Output.checkUnused(options)
        report(try await run.run())
    case "soak":
        let run = SoakBenchmark(lines: number("lines", default: 200), speed: number("speed", default: 100))
        try Output.checkUnused(options)
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
