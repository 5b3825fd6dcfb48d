import CallingLoopback
import CallingTransport
import Foundation
import Testing

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    let limits = HTTPRequestParser.Limits(maxHeadBytes: 1024, maxBodyBytes: 64)

    func parse(_ text: String) -> HTTPRequestParser.Outcome {
        HTTPRequestParser.parse(Array(text.utf8)[...], limits: limits)
    }

    func request(_ outcome: HTTPRequestParser.Outcome) -> (ParsedRequest, Int)? {
        if case .request(let request, let consumed) = outcome { return (request, consumed) }
        return nil
    }

    func failureStatus(_ outcome: HTTPRequestParser.Outcome) -> Int? {
        if case .failure(let failure) = outcome { return failure.status }
        return nil
    }

    @Test("a GET with headers")
    func simpleGet() throws {
        let text = "GET /v1/region?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A:  spaced value \t\r\n\r\n"
        let (parsed, consumed) = try #require(request(parse(text)))
        #expect(parsed.method == "GET")
        #expect(parsed.target == "/v1/region?x=1")
        #expect(parsed.headers["host"] == "127.0.0.1")
        #expect(parsed.headers["x-a"] == "spaced value")
        #expect(parsed.body.isEmpty)
        #expect(consumed == text.utf8.count)
        #expect(parsed.keepAlive)
    }

    @Test("a POST body of Content-Length bytes")
    func postBody() throws {
        let (parsed, consumed) = try #require(request(parse("POST /t HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello+extra")))
        #expect(parsed.body == Array("hello".utf8))
        #expect(consumed == "POST /t HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".utf8.count)
    }

    @Test("bytes no method starts with (a TLS ClientHello) are refused at once, not waited on")
    func notHTTP() {
        let clientHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
        guard case .failure(let failure) = HTTPRequestParser.parse(clientHello[...], limits: limits) else {
            Issue.record("a ClientHello was waited on")
            return
        }
        #expect(failure.status == 400)
        #expect(failure.reason.contains("TLS"))
        #expect(parse("GE") == .incomplete)
        #expect(parse("POST /devices HTT") == .incomplete)
    }

    @Test("a request split at every byte is incomplete until its last byte")
    func splitReads() throws {
        let bytes = Array("POST /t HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8)
        for end in 0..<bytes.count {
            #expect(HTTPRequestParser.parse(bytes[0..<end], limits: limits) == .incomplete)
        }
        #expect(request(HTTPRequestParser.parse(bytes[...], limits: limits))?.0.body == Array("abc".utf8))
    }

    @Test("pipelined requests come out one at a time")
    func pipelined() throws {
        let bytes = Array("GET /one HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /three HTTP/1.1\r\n".utf8)
        let (first, used1) = try #require(request(HTTPRequestParser.parse(bytes[...], limits: limits)))
        let (second, used2) = try #require(request(HTTPRequestParser.parse(bytes[used1...], limits: limits)))
        #expect(first.target == "/one")
        #expect(second.target == "/two")
        #expect(second.body == Array("hi".utf8))
        #expect(HTTPRequestParser.parse(bytes[(used1 + used2)...], limits: limits) == .incomplete)
    }

    @Test(
        "malformed requests are refused with 400",
        arguments: [
            "GARBAGE\r\n\r\n",
            "GET\r\n\r\n",
            "GET /x\r\n\r\n",
            "GET  /x HTTP/1.1\r\n\r\n",
            "GET x HTTP/1.1\r\n\r\n",
            "G(T /x HTTP/1.1\r\n\r\n",
            "GET /x FTP/1.10\r\n\r\n",
            "GET /x HTTP/1.1\r\nNoColonHere\r\n\r\n",
            "GET /x HTTP/1.1\r\n: empty name\r\n\r\n",
            "GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n",
            "GET /x HTTP/1.1\r\nX: a\nb\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "\u{16}\u{03}\u{01}\u{02}\u{00}\r\n\r\n",
        ]
    )
    func malformed(text: String) {
        #expect(failureStatus(parse(text)) == 400)
    }

    @Test("headers past the limit are refused with 431, even before the blank line")
    func headersTooLarge() {
        let huge = "GET /x HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 2000)
        #expect(failureStatus(parse(huge)) == 431)
        #expect(failureStatus(parse(huge + "\r\n\r\n")) == 431)
    }

    @Test("a body past the limit is refused with 413 before it arrives")
    func bodyTooLarge() {
        #expect(failureStatus(parse("POST /x HTTP/1.1\r\nContent-Length: 65\r\n\r\n")) == 413)
        #expect(failureStatus(parse("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n")) == 400)
    }

    @Test("chunked bodies get 501, other HTTP versions 505")
    func unsupported() {
        #expect(failureStatus(parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")) == 501)
        #expect(failureStatus(parse("GET /x HTTP/2.0\r\n\r\n")) == 505)
    }

    @Test("keep-alive follows the version and the Connection header")
    func keepAlive() throws {
        #expect(try #require(request(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))).0.keepAlive == false)
        #expect(try #require(request(parse("GET / HTTP/1.0\r\n\r\n"))).0.keepAlive == false)
        #expect(try #require(request(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))).0.keepAlive)
    }
}

@Suite("HTTP response encoder")
struct HTTPResponseEncoderTests {
    @Test("a response header with CR, LF or NUL is never written: a 500 goes out instead")
    func refusesInjection() {
        for value in ["1\r\nX-Injected: yes", "a\nb", "a\u{0}b"] {
            let bytes = HTTPResponseEncoder.encode(HTTPResponse(status: 429, headers: ["Retry-After": value]), keepAlive: true)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 500 "))
            #expect(!text.contains("X-Injected"))
            #expect(text.contains("Connection: close"))
        }
    }
}
