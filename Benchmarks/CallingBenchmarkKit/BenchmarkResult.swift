import Foundation

/// One measured run, printed as a table row or one JSON object.
public struct BenchmarkResult: Sendable {
    /// The fields in the order they print.
    public var fields: [(String, any Sendable)] = []

    /// Creates an empty result.
    public init() {}

    /// A field's value; setting a new field appends it.
    public subscript(name: String) -> (any Sendable)? {
        get { fields.first { $0.0 == name }?.1 }
        set {
            if let index = fields.firstIndex(where: { $0.0 == name }) {
                fields[index].1 = newValue ?? 0
            } else {
                fields.append((name, newValue ?? 0))
            }
        }
    }

    /// One JSON object on one line.
    public func json() -> String {
        let body = fields.map { name, value in
            let rendered: String
            switch value {
            case let text as String: rendered = "\"\(text)\""
            case let number as Double: rendered = number.isFinite ? String(format: "%.4g", number) : "null"
            default: rendered = "\(value)"
            }
            return "\"\(name)\":\(rendered)"
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// `name=value` pairs on one line.
    public func text() -> String {
        fields.map { name, value in
            if let number = value as? Double { return "\(name)=\(String(format: "%.4g", number))" }
            return "\(name)=\(value)"
        }.joined(separator: "  ")
    }
}
