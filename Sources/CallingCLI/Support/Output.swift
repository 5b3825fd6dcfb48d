import Foundation

/// What a command prints: text lines, or one JSON object per line with `--json`.
///
/// Nothing here is coloured, so `NO_COLOR` is respected by construction, and there is no spinner.
/// Callers never pass secrets: tokens, codes and secrets stay out of every line. Text lines may
/// quote the network or the command line, so their control characters are shown escaped
/// (``printable(_:)``) rather than sent to the terminal; JSON escapes them itself.
struct Output: Sendable {
    let json: Bool

    /// Prints a line of text, or a JSON object with `fields` (and an `event` key: `message` when
    /// the fields name none).
    func emit(_ text: String, _ fields: [String: any Sendable] = [:]) {
        if json {
            var object = fields.isEmpty ? ["message": text] : fields
            if object["event"] == nil {
                object["event"] = "message"
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            Self.write(String(decoding: data, as: UTF8.self))
        } else {
            Self.write(text)
        }
    }

    /// Ends the command with an error: text on standard error, or with `--json` one
    /// `{"event": "error", …}` object on standard output, where a script reads everything else.
    func fail(_ message: String, hint: String? = nil, status: Int32) -> Never {
        if json {
            emit(message, ["event": "error", "message": message, "exitStatus": Int(status)])
        } else {
            Self.error(message + (hint.map { "\n" + $0 } ?? ""))
        }
        exit(status)
    }

    /// A date as ISO 8601 (`2026-12-01T16:00:00Z`), as every JSON field carries dates.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Prints to standard output at once, so scripts reading a pipe see each line as it comes.
    static func write(_ line: String) {
        StandardStream.output.write(printable(line) + "\n")
    }

    /// Prints to standard error.
    static func error(_ line: String) {
        StandardStream.error.write(printable(line) + "\n")
    }

    /// `text` with every control character but newline and tab (C0, DEL, C1: escape sequences,
    /// carriage returns, bells) and every bidirectional formatting character (U+202E and its
    /// kin, which reorder what follows) written as `\u{1B}`, so that no text can move the
    /// cursor, clear the screen, overwrite a line or disguise itself.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            || scalar.properties.isBidiControl
    }
}
