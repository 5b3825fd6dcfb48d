import Foundation

/// One SIP message (RFC 3261 §7): a request or a response, its headers in order, and its body.
///
/// Read with ``parse(_:framing:)``, which is strict and bounded (a registrar's answer is a few
/// hundred bytes; anything past the limits is refused, not buffered), and written with
/// ``serialized()``, which sets `Content-Length`.
package struct SIPMessage: Equatable, Sendable {
    package enum StartLine: Equatable, Sendable {
        case request(method: String, uri: String)
        case response(status: Int, reason: String)
    }

    package struct Header: Equatable, Sendable {
        var name: String
        var value: String
    }

    /// How messages arrive: one per datagram (UDP), or back to back on a stream (TCP), where
    /// `Content-Length` is required to find the end.
    package enum Framing: Sendable {
        case datagram
        case stream
    }

    /// Why bytes are not a SIP message.
    package struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The limits: a message (the largest UDP payload) and its header lines. A registrar's 200
    /// lists every binding of the user, in one `Contact` line or a line each, so neither a line's
    /// length nor the count is held tighter than the message's length allows.
    static let maximumLength = 65_535
    static let maximumHeaders = 1024

    var startLine: StartLine
    var headers: [Header]
    var body: [UInt8]

    /// The first value of header `name` (case-insensitive; compact forms such as `i` for
    /// `Call-ID` are expanded when parsing).
    subscript(name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every header line named `name`, in order, unsplit (a digest challenge holds commas).
    func fields(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// Every value of header `name`, in order, comma-separated lists split (`Contact`, `Via`).
    package func values(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.flatMap { Self.splitList($0.value) }
    }

    /// The response status, for a response.
    var status: Int? {
        if case .response(let status, _) = startLine { return status }
        return nil
    }

    /// The message on the wire, with `Content-Length` set to the body's length.
    package func serialized() -> [UInt8] {
        var text: String
        switch startLine {
        case .request(let method, let uri): text = "\(method) \(uri) SIP/2.0\r\n"
        case .response(let status, let reason): text = "SIP/2.0 \(status) \(reason)\r\n"
        }
        for header in headers where !header.name.caseInsensitiveEquals("Content-Length") {
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8) + body
    }

    /// The first message in `bytes` and how many bytes it took, or `nil` when a stream holds
    /// only part of one so far.
    ///
    /// - Throws: ``ParseError`` for anything that is not a well-formed SIP message within the
    ///   limits: a bad start line or header, a missing or wrong `Content-Length`, control
    ///   characters, too many headers, too long a message.
    package static func parse(_ bytes: [UInt8], framing: Framing) throws(ParseError) -> (message: SIPMessage, length: Int)? {
        guard let headerEnd = Self.headerEnd(in: bytes) else {
            if framing == .datagram || bytes.count > maximumLength {
                throw ParseError(description: bytes.count > maximumLength ? "the message is longer than \(maximumLength) bytes" : "the message has no end of headers")
            }
            return nil
        }
        guard headerEnd <= maximumLength else { throw ParseError(description: "the headers are longer than \(maximumLength) bytes") }
        guard String(validating: bytes[..<headerEnd], as: UTF8.self) != nil else {
            throw ParseError(description: "the headers are not UTF-8")
        }
        // Lines are found and checked as bytes, and only names and values become strings: a
        // registrar's answer can hold hundreds of Contact lines.
        let lines = Self.lines(in: bytes, end: headerEnd)
        let startLine = try Self.startLine(String(decoding: bytes[lines[0]], as: UTF8.self))
        var headers: [Header] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard !bytes[line].contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
                throw ParseError(description: "a header holds a control character")
            }
            if bytes[line.lowerBound] == 0x20 || bytes[line.lowerBound] == 0x09 {
                guard !headers.isEmpty else { throw ParseError(description: "the headers begin with a continuation line") }
                headers[headers.count - 1].value += " " + Self.trimmed(bytes, line)
                continue
            }
            guard let colon = bytes[line].firstIndex(of: 0x3A) else { throw ParseError(description: "a header has no colon") }
            let name = Self.trimmed(bytes, line.lowerBound..<colon)
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(Self.isTokenCharacter) else {
                throw ParseError(description: "a header name is not a token")
            }
            let expanded = name.utf8.count == 1 ? Self.compactForms[name.lowercased()] : nil
            headers.append(Header(name: expanded ?? name, value: Self.trimmed(bytes, (colon + 1)..<line.upperBound)))
            guard headers.count <= maximumHeaders else { throw ParseError(description: "more than \(maximumHeaders) headers") }
        }
        let bodyStart = headerEnd + 4
        let lengths = headers.filter { $0.name.caseInsensitiveEquals("Content-Length") }.map(\.value)
        let bodyLength: Int
        switch (lengths.count, framing) {
        case (0, .datagram):
            bodyLength = bytes.count - bodyStart
        case (0, .stream):
            throw ParseError(description: "a message on a stream needs Content-Length")
        case (1, _):
            guard let length = Int(lengths[0]), length >= 0, lengths[0].allSatisfy(\.isASCIIDigit), length <= maximumLength - bodyStart else {
                throw ParseError(description: "Content-Length '\(lengths[0].prefix(20))' is not a length within the limit")
            }
            bodyLength = length
        default:
            throw ParseError(description: "more than one Content-Length")
        }
        guard bytes.count >= bodyStart + bodyLength else {
            if framing == .datagram { throw ParseError(description: "the body is shorter than Content-Length") }
            return nil
        }
        let message = SIPMessage(startLine: startLine, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + bodyLength)]))
        return (message, bodyStart + bodyLength)
    }

    /// The ranges of the CRLF-separated lines before `end` (CR or LF alone stay inside a line,
    /// where the control-character check refuses them).
    private static func lines(in bytes: [UInt8], end: Int) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        var index = 0
        while index + 1 < end {
            if bytes[index] == 13 && bytes[index + 1] == 10 {
                lines.append(start..<index)
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(start..<end)
        return lines
    }

    /// The bytes in `range` without leading and trailing spaces and tabs, as a string.
    private static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    private static func headerEnd(in bytes: [UInt8]) -> Int? {
        let limit = min(bytes.count, maximumLength + 4)
        guard limit >= 4 else { return nil }
        for index in 0...(limit - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func startLine(_ line: String) throws(ParseError) -> StartLine {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw ParseError(description: "the start line is not three parts") }
        if parts[0] == "SIP/2.0" {
            guard parts[1].count == 3, parts[1].allSatisfy(\.isASCIIDigit), let status = Int(parts[1]), (100...699).contains(status) else {
                throw ParseError(description: "the status is not a number from 100 to 699")
            }
            return .response(status: status, reason: parts[2])
        }
        guard parts[2] == "SIP/2.0", !parts[0].isEmpty, parts[0].unicodeScalars.allSatisfy(isTokenCharacter), !parts[1].isEmpty,
            !parts[1].contains(" ")
        else {
            throw ParseError(description: "the start line is neither a SIP/2.0 request nor a response")
        }
        return .request(method: parts[0], uri: parts[1])
    }

    /// RFC 3261 §25.1 `token` characters.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-.!%*_+`'~".unicodeScalars.contains(scalar))
    }

    /// RFC 3261 §7.3.3's compact forms.
    private static let compactForms: [String: String] = [
        "i": "Call-ID", "m": "Contact", "l": "Content-Length", "f": "From", "t": "To", "v": "Via", "c": "Content-Type",
        "k": "Supported", "e": "Content-Encoding", "s": "Subject",
    ]

    /// Splits a comma-separated header list, keeping commas inside quotes and angle brackets;
    /// scans bytes, since a registrar's Contact list can be tens of kilobytes.
    private static func splitList(_ value: String) -> [String] {
        var items: [String] = []
        var quoted = false
        var bracketed = false
        let utf8 = value.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            switch utf8[index] {
            case UInt8(ascii: "\""): quoted.toggle()
            case UInt8(ascii: "<") where !quoted: bracketed = true
            case UInt8(ascii: ">") where !quoted: bracketed = false
            case UInt8(ascii: ",") where !quoted && !bracketed:
                items.append(value[start..<index].trimmingSpaces())
                start = utf8.index(after: index)
            default: break
            }
            index = utf8.index(after: index)
        }
        items.append(value[start...].trimmingSpaces())
        return items.filter { !$0.isEmpty }
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, byte by byte (header names are ASCII tokens).
    fileprivate func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { $0 | 0x20 == $1 | 0x20 && ($0 == $1 || ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let bytes = utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension Character {
    /// Whether the character is one of `0`…`9` (`isNumber` also takes other scripts' digits).
    var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}
