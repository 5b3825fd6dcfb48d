import CallingTransport

/// Reads HTTP/1.x requests out of bytes received on a connection.
///
/// A pure function of its input, so every edge (a request split across reads, several requests in
/// one read, oversized or malformed heads) is tested without sockets. Only `Content-Length` bodies
/// are accepted; a chunked request is answered 501.
package enum HTTPRequestParser {
    /// Size limits; a request beyond them is refused with the matching status.
    package struct Limits: Sendable {
        /// The most bytes of request line plus headers (beyond: 431).
        package var maxHeadBytes: Int
        /// The largest `Content-Length` accepted (beyond: 413).
        package var maxBodyBytes: Int

        package init(maxHeadBytes: Int, maxBodyBytes: Int) {
            self.maxHeadBytes = maxHeadBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// Why a request was refused, with the status to answer.
    package struct Failure: Error, Equatable, Sendable {
        /// The status to answer with before closing the connection.
        package var status: Int
        /// A short explanation, sent as the response body.
        package var reason: String
    }

    /// What the bytes at the front of the buffer hold.
    package enum Outcome: Equatable, Sendable {
        /// Not a whole request yet: read more.
        case incomplete
        /// A whole request, which used the first `consumed` bytes of the buffer.
        case request(ParsedRequest, consumed: Int)
        /// A request that will never be acceptable: answer `failure.status` and close.
        case failure(Failure)
    }

    /// Parses the request at the front of `buffer`.
    package static func parse(_ buffer: ArraySlice<UInt8>, limits: Limits) -> Outcome {
        guard let headEnd = endOfHead(in: buffer) else {
            if buffer.count > limits.maxHeadBytes {
                return .failure(Failure(status: 431, reason: "request header fields too large"))
            }
            guard methodSoFarIsToken(buffer) else {
                return .failure(Failure(status: 400, reason: "not an HTTP request (TLS sent to a plain HTTP port?)"))
            }
            return .incomplete
        }
        let headLength = headEnd - buffer.startIndex
        guard headLength <= limits.maxHeadBytes else {
            return .failure(Failure(status: 431, reason: "request header fields too large"))
        }
        let head: (line: RequestLine, headers: HTTPHeaders)
        switch parseHead(buffer[buffer.startIndex..<headEnd - 4]) {
        case .success(let parsed): head = parsed
        case .failure(let failure): return .failure(failure)
        }

        if head.headers["Transfer-Encoding"] != nil {
            return .failure(Failure(status: 501, reason: "chunked request bodies are not supported; send Content-Length"))
        }
        let lengths = Set(head.headers.values(for: "Content-Length"))
        guard lengths.count <= 1 else {
            return .failure(Failure(status: 400, reason: "conflicting Content-Length headers"))
        }
        var bodyLength = 0
        if let text = lengths.first {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(text) else {
                return .failure(Failure(status: 400, reason: "Content-Length is not a number"))
            }
            bodyLength = length
        }
        guard bodyLength <= limits.maxBodyBytes else {
            return .failure(Failure(status: 413, reason: "request body larger than \(limits.maxBodyBytes) bytes"))
        }
        guard buffer.endIndex - headEnd >= bodyLength else {
            return .incomplete
        }
        let request = ParsedRequest(
            method: head.line.method,
            target: head.line.target,
            minorVersion: head.line.minorVersion,
            headers: head.headers,
            body: Array(buffer[headEnd..<headEnd + bodyLength])
        )
        return .request(request, consumed: headLength + bodyLength)
    }

    private struct RequestLine {
        var method: String
        var target: String
        var minorVersion: Int
    }

    /// The index just past the blank line (`CRLF CRLF`) that ends the head, if it has arrived.
    /// Whether the bytes before the first space (all of them, before one arrives) can be a
    /// method: so that bytes no request starts with (a TLS handshake, say) are refused at once
    /// instead of waiting out the request timeout for a head that never ends.
    private static func methodSoFarIsToken(_ buffer: ArraySlice<UInt8>) -> Bool {
        buffer.prefix { $0 != UInt8(ascii: " ") }.allSatisfy(isTokenByte)
    }

    private static func endOfHead(in buffer: ArraySlice<UInt8>) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = buffer.startIndex
        while index <= buffer.endIndex - 4 {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    private static func parseHead(
        _ head: ArraySlice<UInt8>
    ) -> Result<(line: RequestLine, headers: HTTPHeaders), Failure> {
        var lines = split(head)
        guard !lines.isEmpty, let line = parseRequestLine(lines.removeFirst()) else {
            return .failure(Failure(status: 400, reason: "malformed request line"))
        }
        guard line.minorVersion >= 0 else {
            return .failure(Failure(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        var headers = HTTPHeaders()
        for fieldLine in lines {
            guard let colon = fieldLine.firstIndex(of: 58), colon > fieldLine.startIndex,
                fieldLine[fieldLine.startIndex..<colon].allSatisfy(isTokenByte),
                !fieldLine.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 })
            else {
                return .failure(Failure(status: 400, reason: "malformed header line"))
            }
            let name = String(decoding: fieldLine[fieldLine.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: fieldLine[(colon + 1)...], as: UTF8.self)
            headers.add(name: name, value: value.trimmingSpacesAndTabs())
        }
        return .success((line, headers))
    }

    /// Splits the head on CRLF; a bare LF or CR inside a line makes the line malformed later.
    private static func split(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == 13, index + 1 < head.endIndex, head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    /// `METHOD SP origin-target SP HTTP/1.x`; a version other than 1.x gives minorVersion -1.
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) -> RequestLine? {
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3,
            !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
            parts[1].first == 47, parts[1].allSatisfy({ $0 > 32 && $0 < 127 })
        else {
            return nil
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/"), version.count == 8 else {
            return nil
        }
        let minorVersion: Int
        switch version {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default: minorVersion = -1
        }
        return RequestLine(
            method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self),
            minorVersion: minorVersion
        )
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

extension String {
    fileprivate func trimmingSpacesAndTabs() -> String {
        let utf8 = self.utf8
        let start = utf8.firstIndex { $0 != 32 && $0 != 9 } ?? utf8.endIndex
        let end = utf8.lastIndex { $0 != 32 && $0 != 9 }.map { utf8.index(after: $0) } ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
