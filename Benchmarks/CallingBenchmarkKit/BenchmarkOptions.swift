/// A benchmark command line: `<benchmark> [--name value]… [--json]`.
public struct BenchmarkOptions {
    /// The benchmark asked for.
    public let benchmark: String
    /// Whether rows print as JSON objects.
    public let json: Bool
    private let program: String
    private var values: [String: String] = [:]

    /// Parses the arguments after the program name.
    ///
    /// - Throws: ``BenchmarkError`` for an argument that is neither `--json` nor a `--name value` pair.
    public init(benchmark: String, arguments: some Sequence<String>, program: String) throws {
        self.benchmark = benchmark
        self.program = program
        var json = false
        var rest = Array(arguments)[...]
        while let argument = rest.popFirst() {
            if argument == "--json" {
                json = true
            } else if argument.hasPrefix("--"), let value = rest.popFirst() {
                values[String(argument.dropFirst(2))] = value
            } else {
                throw BenchmarkError("unexpected '\(argument)'; run `\(program) --help`")
            }
        }
        self.json = json
    }

    /// A positive whole number, or `fallback` when not given.
    public mutating func number(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values.removeValue(forKey: name) else { return fallback }
        guard let value = Int(text), value > 0 else {
            throw BenchmarkError("--\(name) must be a positive whole number, not '\(text)'")
        }
        return value
    }

    /// One of a type's raw values, or `fallback` when not given.
    public mutating func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws -> T where T.RawValue == String {
        guard let text = values.removeValue(forKey: name) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw BenchmarkError("--\(name) '\(text)' is not a valid choice")
        }
        return value
    }

    /// Fails on an option no one asked for.
    public func checkUnused() throws {
        if let name = values.keys.sorted().first {
            throw BenchmarkError("unknown option --\(name); run `\(program) --help`")
        }
    }
}
