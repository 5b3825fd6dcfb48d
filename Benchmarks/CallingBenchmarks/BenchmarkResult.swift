import Foundation

/// One measured run, printed as a table row or one JSON object.
struct BenchmarkResult {
    var fields: [(String, any Sendable)] = []

    subscript(name: String) -> (any Sendable)? {
        get { fields.first { $0.0 == name }?.1 }
        set {
            if let index = fields.firstIndex(where: { $0.0 == name }) {
                fields[index].1 = newValue ?? 0
            } else {
                fields.append((name, newValue ?? 0))
            }
        }
    }

    func json() -> String {
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

    func text() -> String {
        fields.map { name, value in
            if let number = value as? Double { return "\(name)=\(String(format: "%.4g", number))" }
            return "\(name)=\(value)"
        }.joined(separator: "  ")
    }
}
