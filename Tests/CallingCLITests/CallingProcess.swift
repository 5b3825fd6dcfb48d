import CallingTransport
import Foundation

/// The built `calling` executable, run as a child process with its output collected.
final class CallingProcess: Sendable {
    static let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "calling")

    private let process: Process
    private let collected = Locked((output: "", error: ""))
    private let finished = Locked<CheckedContinuation<Void, Never>?>(nil)

    /// Starts `calling` with `arguments`, and `environment` added to a minimal one.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var base = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path]
        base.merge(environment) { $1 }
        process.environment = base
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        for (pipe, isError) in [(output, false), (error, true)] {
            pipe.fileHandleForReading.readabilityHandler = { [collected] handle in
                let data = handle.availableData
                guard !data.isEmpty else {
                    // End of output: stop watching the descriptor before anything closes it, so
                    // Dispatch never watches a number that is reused (it crashed on one, once).
                    handle.readabilityHandler = nil
                    return
                }
                let text = String(decoding: data, as: UTF8.self)
                collected.withLock { isError ? ($0.error += text) : ($0.output += text) }
            }
        }
        try process.run()
    }

    /// Runs `calling` to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String, error: String) {
        let process = try CallingProcess(arguments, environment: environment)
        let status = await process.exitStatus()
        return (status, process.output, process.error)
    }

    /// Starts `calling emulator` with `arguments` and waits for its base URL.
    static func emulator(_ arguments: [String] = []) async throws -> (process: CallingProcess, base: String) {
        let process = try CallingProcess(["emulator"] + arguments)
        let first = try await process.line { $0.hasPrefix("emulator listening on ") }
        return (process, String(first.dropFirst("emulator listening on ".count)))
    }

    var output: String { collected.withLock(\.output) }
    var error: String { collected.withLock(\.error) }

    /// Waits (up to `seconds`) for a line of output that satisfies `matches`.
    func line(within seconds: Double = 30, where matches: (String) -> Bool) async throws -> String {
        let deadline = Date() + seconds
        while Date() < deadline {
            if let line = output.split(separator: "\n").map(String.init).first(where: matches) {
                return line
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no matching line in: \(output) \(error)"])
    }

    func interrupt() {
        process.interrupt()
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end and returns its exit status.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                self.process.waitUntilExit()
                Thread.sleep(forTimeInterval: 0.05)
                continuation.resume()
            }.start()
        }
        return process.terminationStatus
    }
}
