import Foundation
import Testing

/// Runs the built `calling` executable and captures what it printed.
func runCalling(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "calling")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

@Suite("calling command line")
struct CommandLineTests {
    @Test("--help prints the usage and exits 0")
    func help() throws {
        let result = try runCalling(["--help"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("usage: calling <command>"))
    }

    @Test("no command prints the usage and exits 2")
    func noCommand() throws {
        let result = try runCalling([])
        #expect(result.status == 2)
        #expect(result.output.hasPrefix("usage: calling"))
    }

    @Test("an unknown command exits 2 with a one-line hint")
    func unknownCommand() throws {
        let result = try runCalling(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.error == "calling: unknown command 'frobnicate'; run `calling --help` for the list\n")
    }

    @Test("a command that is not built yet says so and exits 1")
    func notBuilt() throws {
        let result = try runCalling(["demo"])
        #expect(result.status == 1)
        #expect(result.error.contains("`demo` is not built yet"))
    }
}
