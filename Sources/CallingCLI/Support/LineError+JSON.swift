import CallingCore
import Foundation

extension LineError {
    /// The error as `--json` prints it: the documented `{status, type, msg}` and our fields, as
    /// `LineError` encodes itself.
    var jsonObject: [String: any Sendable] {
        guard let data = try? JSONEncoder().encode(self),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            return [:]
        }
        var fields: [String: any Sendable] = [:]
        for (key, value) in object {
            if let text = value as? String {
                fields[key] = text
            } else if let number = value as? Int {
                fields[key] = number
            }
        }
        return fields
    }
}
