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

    Run `calling <command> --help` for a command's options.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
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
do {
    let parsed = try Arguments(rest, spec: command.spec, environment: environment)
    try await command.run(parsed, environment: environment, output: Output(json: parsed.has("json")))
    exit(0)
} catch let error as UsageError {
    Output.error("calling \(name): \(error.message)\nRun `calling \(name) --help` for usage.")
    exit(2)
} catch let error as CommandFailure {
    Output.error("calling \(name): \(error.message)")
    exit(1)
} catch {
    Output.error("calling \(name): \(error)")
    exit(1)
}
