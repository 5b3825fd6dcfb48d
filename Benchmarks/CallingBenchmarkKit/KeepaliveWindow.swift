import Foundation

/// The measured window of a keepalive benchmark, and the row every keepalive benchmark prints.
package struct KeepaliveWindow {
    package struct Measurement {
        package var cpuSeconds: Double
        package var peakBytes: Int
        package var steadyBytes: Int
        package var threads: Int
    }

    package let lines: Int
    package let intervalNanos: Int64
    package let duration: Duration

    package init(lines: Int, intervalNanos: Int64, duration: Duration) {
        self.lines = lines
        self.intervalNanos = intervalNanos
        self.duration = duration
    }

    /// Sleeps through the window, measuring CPU over it and memory and threads at its middle.
    package func measure(until end: Int64, time: BenchmarkTime) async -> Measurement {
        let cpu = ProcessStats.cpuSeconds()
        let remaining = end - time.now()
        try? await Task.sleep(for: .nanoseconds(remaining / 2))
        let steady = ProcessStats.residentBytes()
        let threads = ProcessStats.threads()
        try? await time.sleepUntil(end)
        let cpuSeconds = ProcessStats.cpuSeconds() - cpu
        try? await Task.sleep(for: .milliseconds(200))
        return Measurement(cpuSeconds: cpuSeconds, peakBytes: ProcessStats.peakResidentBytes(), steadyBytes: steady, threads: threads)
    }

    /// The row: `labels` first, then fires against what was due, CPU, memory, lateness, threads.
    package func result(
        labels: [(String, any Sendable)], log: FireLog, windowStart: Int64, firstDeadlines: [Int64], measured: Measurement, bytes: Int
    ) -> BenchmarkResult {
        let end = windowStart + BenchmarkTime.nanoseconds(duration)
        var expected = 0
        var fires = 0
        var doubled = 0
        var missed = 0
        for line in 0..<lines {
            let due = firstDeadlines[line] > end ? 0 : Int((end - firstDeadlines[line]) / intervalNanos) + 1
            let count = log.count(of: line)
            expected += due
            fires += min(count, due)
            if count > due { doubled += count - due }
            if count < due { missed += due - count }
        }
        let histogram = log.histogram
        let seconds = duration / .seconds(1)
        var result = BenchmarkResult()
        result["benchmark"] = "keepalive"
        for (name, value) in labels {
            result[name] = value
        }
        result["lines"] = lines
        result["interval_ms"] = Int(intervalNanos / 1_000_000)
        result["duration_s"] = seconds
        result["fires"] = fires
        result["expected_fires"] = expected
        result["doubled_fires"] = doubled
        result["missed_fires"] = missed
        result["fires_per_s"] = Double(fires) / seconds
        result["expected_fires_per_s"] = Double(expected) / seconds
        result["cpu_s"] = measured.cpuSeconds
        result["cpu_core_percent"] = measured.cpuSeconds / seconds * 100
        result["cpu_ns_per_fire"] = fires > 0 ? measured.cpuSeconds * 1e9 / Double(fires) : .infinity
        result["bytes_per_line"] = Double(bytes) / Double(lines)
        result["peak_rss_bytes"] = measured.peakBytes
        result["steady_rss_bytes"] = measured.steadyBytes
        result["late_p50_ms"] = histogram.milliseconds(at: 0.5)
        result["late_p99_ms"] = histogram.milliseconds(at: 0.99)
        result["late_p999_ms"] = histogram.milliseconds(at: 0.999)
        result["late_max_ms"] = histogram.maxMilliseconds
        result["threads"] = measured.threads
        return result
    }
}
