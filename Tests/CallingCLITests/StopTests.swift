import CallingTransport
import Foundation
import Testing

/// How `calling register` stops: on each stopping signal, on two at once, on a deliberate
/// second one, and when its reader goes away; always deregistering first (#20 case 7).
@Suite("calling register: signals and a closed standard output", .serialized, .timeLimit(.minutes(3)))
struct StopTests {
    typealias LoggedIn = CommandFlowTests.LoggedIn

    /// `calling register` with two lines, once both are registered.
    func registered(_ session: LoggedIn) async throws -> CallingProcess {
        let register = try CallingProcess(["register", "--lines", "2"] + session.shared)
        for line in 1...2 {
            _ = try await register.line { $0.contains("line \(line): registered on") }
        }
        #expect(try await session.registrations() == 2)
        return register
    }

    @Test("SIGINT, SIGTERM or SIGHUP (a closed terminal): every line deregistered, exit 0", arguments: [SIGINT, SIGTERM, SIGHUP])
    func stopsOn(signal: Int32) async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let register = try await registered(session)
        register.send(signal)
        #expect(await register.exitStatus() == 0, "\(register.output)\n\(register.error)")
        #expect(try await session.registrations() == 0)
        #expect(register.output.contains("all lines deregistered"))
    }

    @Test("SIGINT then SIGTERM within a millisecond (as supervisors and timeout send them) is one request: deregistered, exit 0")
    func twoSignalsAtOnce() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let register = try await registered(session)
        register.send(SIGINT)
        register.send(SIGTERM)
        #expect(await register.exitStatus() == 0, "\(register.output)\n\(register.error)")
        #expect(try await session.registrations() == 0)
        #expect(!register.error.contains("stopped without deregistering"))
    }

    @Test("a second signal a second after the first stops at once, saying what it left")
    func deliberateSecondSignal() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let register = try await registered(session)
        try await session.admin("delay", #"{"endpoint":"deregister","milliseconds":10000}"#)
        register.send(SIGINT)
        _ = try await register.line { $0.contains("deregistering") }
        try await Task.sleep(for: .milliseconds(1200))
        register.send(SIGINT)
        #expect(await register.exitStatus() != 0)
        #expect(register.error.contains("stopped without deregistering"))
    }

    @Test("standard output piped into head -1: SIGPIPE does not end it; it deregisters every line and exits 1")
    func closedStandardOutput() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let command = ([CallingProcess.executable.path, "register", "--lines", "2"] + session.shared).map { "'\($0)'" }.joined(separator: " ")
        let result = try await Shell.run("\(command) | head -1; echo \"calling exited ${PIPESTATUS[0]}\" >&2")
        #expect(result.output.hasPrefix("registering 2 lines"))
        #expect(result.error.contains("calling exited 1"), "\(result.error)")
        #expect(result.error.contains("standard output was closed, so the command stopped; every line was deregistered"))
        #expect(try await session.registrations() == 0)
    }

    @Test("timeout -s INT, 20 runs (5 at a time), each stopped at another moment of its life: no registration left at the emulator")
    func timeoutRuns() async throws {
        let session = try await LoggedIn()
        defer { session.stop() }
        let command = ([CallingProcess.executable.path, "register"] + session.shared).map { "'\($0)'" }.joined(separator: " ")
        var statuses: [Int32] = []
        for batch in 0..<4 {
            statuses += try await withThrowingTaskGroup(of: Int32.self) { group in
                for run in 0..<5 {
                    group.addTask {
                        let after = 0.5 + Double(batch * 5 + run) * 0.15
                        return try await Shell.run("timeout --preserve-status -s INT \(after) \(command)").status
                    }
                }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
        }
        #expect(try await session.registrations() == 0)
        #expect(statuses.allSatisfy { $0 == 0 || $0 == 130 }, "\(statuses)")
    }
}

/// A bash command line run to completion.
enum Shell {
    static func run(_ command: String) async throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(filePath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path]
        let output = Pipe()
        let error = Pipe()
        (process.standardOutput, process.standardError, process.standardInput) = (output, error, FileHandle.nullDevice)
        try process.run()
        let (out, err) = await withCheckedContinuation { continuation in
            Thread {
                let out = output.fileHandleForReading.readDataToEndOfFile()
                let err = error.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (out, err))
            }.start()
        }
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
