import Foundation

/// What a command prints: text lines, or one JSON object per line with `--json`.
///
/// Nothing here is coloured, so `NO_COLOR` is respected by construction, and there is no spinner.
/// Callers never pass secrets: tokens, codes and secrets stay out of every line.
struct Output: Sendable {
    let json: Bool

    /// Prints a line of text, or a JSON object with `fields`.
    func emit(_ text: String, _ fields: [String: any Sendable] = [:]) {
        if json {
            let object = fields.isEmpty ? ["message": text] : fields
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            Self.write(String(decoding: data, as: UTF8.self))
        } else {
            Self.write(text)
        }
    }

    /// Prints to standard output and flushes, so scripts reading a pipe see each line at once.
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
