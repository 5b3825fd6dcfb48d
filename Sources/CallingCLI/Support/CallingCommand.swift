import CallingCommandLine
/// A subcommand of `calling`.
protocol CallingCommand {
    /// Name, help and options.
    static var spec: CommandSpec { get }
    /// Runs the command; throws ``UsageError`` (exit 2) or any other error (exit 1).
    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws
}
