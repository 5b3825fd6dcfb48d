import Foundation

/// A command line misused: exit status 2, a one-line hint.
package struct UsageError: Error {
    package let message: String

    package init(message: String) {
        self.message = message
    }
}

/// A command that failed: exit status 1, a message that names the cause and the fix.
package struct CommandFailure: Error {
    package let message: String

    package init(message: String) {
        self.message = message
    }
}

/// Parsed options of one command, with environment variables as fallbacks.
package struct Arguments {
    /// Every value given per option, in order (repeatable options keep them all).
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []
    private let spec: CommandSpec
    private let environment: [String: String]
    package private(set) var positionals: [String] = []

    /// Parses `--name value`, `--name=value` and `--flag` against `spec`.
    package init(_ arguments: [String], spec: CommandSpec, environment: [String: String]) throws {
        self.spec = spec
        self.environment = environment
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else {
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option --\(name)")
            }
            if option.value == nil {
                guard inlineValue == nil else { throw UsageError(message: "--\(name) takes no value") }
                flags.insert(name)
            } else {
                guard let value = inlineValue ?? remaining.popFirst(), !value.hasPrefix("--") || inlineValue != nil, !value.isEmpty else {
                    throw UsageError(message: "--\(name) needs a value (\(option.value!))")
                }
                values[name, default: []].append(value)
            }
        }
        if let stray = positionals.dropFirst(spec.positionals).first {
            throw UsageError(message: "unexpected argument '\(stray.prefix(40))'")
        }
    }

    /// Whether a flag was given.
    package func has(_ flag: String) -> Bool {
        flags.contains(flag)
    }

    /// An option's value (its last, when given more than once), from the command line or else
    /// its environment variable.
    package func value(_ name: String) -> String? {
        if let value = values[name]?.last { return value }
        guard let variable = spec.options.first(where: { $0.name == name })?.environment,
            let value = environment[variable], !value.isEmpty
        else {
            return nil
        }
        return value
    }

    /// Every value of a repeatable option in order; else its environment variable's
    /// comma-separated values.
    package func allValues(_ name: String) -> [String] {
        if let given = values[name] { return given }
        return value(name)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
    }

    /// An integer option, checked.
    package func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(message: "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// The path an option names and the file's text, read whole; `nil` when the option is not
    /// given. Secrets come from files like this, never from flags, so they stay out of the
    /// process list.
    ///
    /// - Throws: ``CommandFailure`` naming the file, when it cannot be read.
    package func file(_ name: String, holding what: String) throws -> (path: String, text: String)? {
        guard let path = value(name) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure(message: "cannot read the \(what) file \(path): check the path and its permissions")
        }
        return (path, text)
    }

    /// A URL option, checked.
    package func url(_ name: String) throws -> URL? {
        try value(name).map { try Self.httpURL($0, option: name) }
    }

    /// Every URL of a repeatable option, each checked (see ``allValues(_:)``).
    package func urls(_ name: String) throws -> [URL] {
        try allValues(name).map { try Self.httpURL($0, option: name) }
    }

    private static func httpURL(_ text: String, option name: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw UsageError(message: "--\(name) must be an http(s) URL, not '\(text.prefix(80))'")
        }
        return url
    }
}
