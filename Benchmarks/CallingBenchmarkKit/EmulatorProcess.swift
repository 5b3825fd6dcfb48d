import CallingEmulator
import CallingMobius
import Foundation

/// The emulator served by a child process (this same executable, started with ``argument``),
/// so that a wire benchmark counts only the client's CPU.
///
/// The child serves until its standard input closes: when the parent stops it, or dies.
public struct EmulatorProcess: Sendable {
    /// The argument that makes the executable serve the emulator instead of benchmarking.
    public static let argument = "--serve-emulator-for-benchmark"

    /// The emulator's OAuth and device-manager address.
    public let baseURL: URL
    /// Every Webex URL pointing at the child.
    public let mobiusConfiguration: MobiusRegistrar.Configuration
    private let process: Process
    private let input: Pipe

    /// Starts the child and waits until it listens.
    ///
    /// - Parameters:
    ///   - lines: How many devices it must accept for the one user.
    ///   - keepaliveIntervalSeconds: The interval registrations get.
    public static func start(lines: Int, keepaliveIntervalSeconds: Int) throws -> EmulatorProcess {
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [argument, String(lines), String(keepaliveIntervalSeconds)]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchmarkError("the emulator's child process ended before it listened") }
            line.append(chunk)
        }
        let fields = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
        guard fields.count >= 2, let base = URL(string: fields[0]), let discovery = URL(string: fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkError("the emulator's child process said '\(String(decoding: line, as: UTF8.self))' instead of its addresses")
        }
        let configuration = MobiusRegistrar.Configuration.emulator(baseURL: base, discoveryHost: discovery)
        return EmulatorProcess(baseURL: base, mobiusConfiguration: configuration, process: process, input: input)
    }

    /// Stops the child and waits for it.
    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// In the child (the arguments after the executable start with ``argument``): serves the
    /// emulator, prints `<base URL> <discovery URL>` and exits when standard input closes.
    /// Returns at once in the parent.
    public static func serveIfAsked(_ arguments: [String]) async {
        guard arguments.first == argument, arguments.count == 3, let lines = Int(arguments[1]), let interval = Int(arguments[2]) else { return }
        var configuration = WebexEmulator.Configuration.defaults
        configuration.keepaliveInterval = interval
        configuration.deviceLimit = lines + 16
        do {
            let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
            let discovery = server.mobiusConfiguration.discoveryHosts[0]
            FileHandle.standardOutput.write(Data("\(server.baseURL.absoluteString) \(discovery.absoluteString)\n".utf8))
            await withCheckedContinuation { (closed: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    _ = FileHandle.standardInput.readDataToEndOfFile()
                    closed.resume()
                }
            }
            server.stop()
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("emulator child: \(error)\n".utf8))
            exit(1)
        }
    }
}
