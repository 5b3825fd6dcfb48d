import CallingCommandLine
import CallingTransport
import Foundation

/// `calling`: swift-calling's command line.
let commands: [any CallingCommand.Type] = [
    DemoCommand.self, EmulatorCommand.self, LoginCommand.self, TokenCommand.self, RegisterCommand.self,
]

let usage = """
    usage: calling <command> [options]

    swift-calling's command line: Webex OAuth login and Webex Calling line registration.

    commands:
    \(commands.map { "  " + $0.spec.name.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.spec.summary }.joined(separator: "\n"))

    Run `calling <command> --help` for a command's options, `calling --version` for the version.
    """

// A reader that goes away (`calling register | head -1`) must not end the process before it
// deregisters: a write to a closed pipe fails with EPIPE instead (see StandardStream).
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
if arguments == ["--version"] || arguments == ["version"] {
    Output.write("calling \(SwiftCalling.version)")
    exit(0)
}
guard let name = arguments.first, !["-h", "--help", "help"].contains(name) else {
    Output.write(usage)
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.spec.name == name }) else {
    Output.error("calling: unknown command '\(name)'; run `calling --help` for the list")
    exit(2)
}
let rest = Array(arguments.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    Output.write(command.spec.help)
    exit(0)
}
let output = Output(json: rest.contains("--json"))
do {
    let parsed = try Arguments(rest, spec: command.spec, environment: environment)
    try await command.run(parsed, environment: environment, output: output)
    exit(0)
} catch let error as UsageError {
    output.fail("calling \(name): \(error.message)", hint: "Run `calling \(name) --help` for usage.", status: 2)
} catch let error as CommandFailure {
    output.fail("calling \(name): \(error.message)", status: 1)
} catch {
    output.fail("calling \(name): \(error)", status: 1)
}
