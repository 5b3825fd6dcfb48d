import Foundation

/// One value of an address header (`Contact`, `To`, `From`) or `Via`: the part before its
/// parameters, and the parameters (RFC 3261 §20), names lowercased, quotes kept off.
///
/// `<sip:alice@host:5060;transport=tcp>;expires=120` has the address
/// `sip:alice@host:5060;transport=tcp` (URI parameters stay inside the brackets) and the
/// parameter `expires` = `120`.
struct SIPHeaderValue: Equatable, Sendable {
    var address: String
    var parameters: [String: String]

    init(_ value: String) {
        var rest = Substring(value)
        if let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            address = String(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: ";") ?? rest.endIndex
            address = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
            rest = rest[end...]
        }
        parameters = [:]
        for parameter in rest.split(separator: ";") {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard let name = pair.first?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else { continue }
            let value = pair.count == 2 ? pair[1].trimmingCharacters(in: .whitespaces) : ""
            parameters[name] = value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
        }
    }
}
