import Foundation

/// One option of a command: a flag (no value) or an option with a value, perhaps also read from
/// an environment variable.
package struct OptionSpec {
    package let name: String
    package let value: String?
    package let help: String
    package let environment: String?

    package init(_ name: String, value: String? = nil, environment: String? = nil, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
        self.environment = environment
    }

    package static let json = OptionSpec("json", "one JSON object per line instead of text")
    package static let help = OptionSpec("help", "show this help")
}

/// A subcommand's name, help text and options; the help is generated from them.
package struct CommandSpec {
    package let name: String
    package let summary: String
    package let usage: String
    package let options: [OptionSpec]
    package let details: String
    /// How many arguments without `--` the command takes (`token` takes its action).
    package let positionals: Int

    package init(name: String, summary: String, usage: String, options: [OptionSpec], details: String = "", positionals: Int = 0) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options + [.json, .help]
        self.details = details
        self.positionals = positionals
    }

    package var help: String {
        var lines = ["usage: calling \(usage)", "", summary, "", "options:"]
        let labels = options.map { option in "--\(option.name)" + (option.value.map { " \($0)" } ?? "") }
        let width = (labels.map(\.count).max() ?? 0) + 2
        for (option, label) in zip(options, labels) {
            let environment = option.environment.map { " [env: \($0)]" } ?? ""
            lines.append("  " + label.padding(toLength: width, withPad: " ", startingAt: 0) + option.help + environment)
        }
        if !details.isEmpty {
            lines += ["", details]
        }
        return lines.joined(separator: "\n")
    }
}
