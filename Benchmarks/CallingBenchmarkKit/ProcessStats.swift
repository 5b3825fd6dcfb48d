import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time, memory and threads of this process, from getrusage and /proc.
package enum ProcessStats {
    /// User plus system CPU time so far, in seconds.
    #if canImport(Glibc)
    private static let selfWho = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let selfWho = RUSAGE_SELF
    #endif

    package static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(selfWho, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Resident memory now, in bytes (Linux: VmRSS).
    package static func residentBytes() -> Int { statusField("VmRSS") }

    /// Peak resident memory, in bytes (Linux: VmHWM).
    package static func peakResidentBytes() -> Int { statusField("VmHWM") }

    /// Starts the peak resident memory over from the memory resident now (Linux: writes 5 to
    /// /proc/self/clear_refs), so a phase's peak is its own.
    package static func resetPeakResident() {
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }

    /// The number of threads (Linux: /proc/self/task).
    package static func threads() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    private static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return (kilobytes ?? 0) * 1024
        }
        return 0
    }
}
