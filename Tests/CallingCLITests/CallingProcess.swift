import Foundation

/// The built `calling` executable, run as a child process with its output collected.
///
/// Its output goes to files, not pipes: a pipe ends only when every copy of its write end is
/// closed, and a child another test spawns at the same moment can inherit one and keep it open
/// for as long as it runs. A file holds everything written once the process has exited.
final class CallingProcess: Sendable {
    static let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "calling")

    private let process: Process
    private let directory: URL

    /// Starts `calling` with `arguments`, and `environment` added to a minimal one.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var base = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path]
        base.merge(environment) { $1 }
        process.environment = base
        directory = FileManager.default.temporaryDirectory.appending(path: "calling-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = try Self.create(directory.appending(path: "stdout"))
        let error = try Self.create(directory.appending(path: "stderr"))
        defer {
            try? output.close()
            try? error.close()
        }
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func create(_ file: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(file.path)"])
        }
        return try FileHandle(forWritingTo: file)
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

    /// What it has written to standard output so far.
    var output: String { read("stdout") }
    /// What it has written to standard error so far.
    var error: String { read("stderr") }

    private func read(_ name: String) -> String {
        (try? Data(contentsOf: directory.appending(path: name))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

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
                continuation.resume()
            }.start()
        }
        return process.terminationStatus
    }
}
