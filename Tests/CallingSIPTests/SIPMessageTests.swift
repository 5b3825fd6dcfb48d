@testable import CallingSIP
import Foundation
import Testing

@Suite("SIP messages")
struct SIPMessageTests {
    static let challengeText = """
        SIP/2.0 401 Unauthorized\r
        Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;received=127.0.0.1\r
        v: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKold\r
        f: <sip:alice@127.0.0.1>;tag=1928301774\r
        To: <sip:alice@127.0.0.1>;tag=a6c85cf\r
        i: a84b4c76e66710@127.0.0.1\r
        CSeq: 1 REGISTER\r
        WWW-Authenticate: Digest realm="127.0.0.1",\r
         nonce="YWJj", qop="auth"\r
        Contact: <sip:alice@127.0.0.1:5070>;expires=60, "Alice, home" <sip:alice@10.0.0.2>;expires=30\r
        l: 5\r
        \r
        hello
        """

    @Test("a 401 challenge: status, compact forms expanded, folded lines joined, lists split, the body by Content-Length")
    func challenge() throws {
        let (message, length) = try #require(try SIPMessage.parse(Array(Self.challengeText.utf8), framing: .datagram))
        #expect(message.status == 401)
        #expect(message["call-id"] == "a84b4c76e66710@127.0.0.1")
        #expect(message["From"] == "<sip:alice@127.0.0.1>;tag=1928301774")
        #expect(message.values("Via").count == 2)
        #expect(message["WWW-Authenticate"] == #"Digest realm="127.0.0.1", nonce="YWJj", qop="auth""#)
        #expect(message.values("Contact") == [#"<sip:alice@127.0.0.1:5070>;expires=60"#, #""Alice, home" <sip:alice@10.0.0.2>;expires=30"#])
        #expect(message.body == Array("hello".utf8))
        #expect(length == Self.challengeText.utf8.count)
    }

    @Test("on a stream: nothing until the whole message is there, then one message at a time")
    func stream() throws {
        let one = SIPMessage(startLine: .response(status: 200, reason: "OK"), headers: [.init(name: "CSeq", value: "2 REGISTER")], body: Array("ab".utf8))
        let bytes = one.serialized() + one.serialized()
        for cut in [0, 10, one.serialized().count - 1] {
            #expect(try SIPMessage.parse(Array(bytes.prefix(cut)), framing: .stream) == nil)
        }
        let (first, length) = try #require(try SIPMessage.parse(bytes, framing: .stream))
        #expect(first == SIPMessage(startLine: one.startLine, headers: one.headers + [.init(name: "Content-Length", value: "2")], body: one.body))
        #expect(length == one.serialized().count)
        #expect(try SIPMessage.parse(Array(bytes[length...]), framing: .stream)?.message.body == Array("ab".utf8))
    }

    @Test("a request serializes with its start line and Content-Length, and parses back")
    func request() throws {
        let register = SIPMessage(
            startLine: .request(method: "REGISTER", uri: "sip:127.0.0.1:15060"),
            headers: [.init(name: "Call-ID", value: "x@y"), .init(name: "Expires", value: "60")], body: []
        )
        let text = String(decoding: register.serialized(), as: UTF8.self)
        #expect(text == "REGISTER sip:127.0.0.1:15060 SIP/2.0\r\nCall-ID: x@y\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n")
        let parsed = try #require(try SIPMessage.parse(register.serialized(), framing: .stream)).message
        #expect(parsed.startLine == register.startLine)
        #expect(parsed["expires"] == "60")
    }

    static let malformedInputs: [(String, String)] = [
        ("no end of headers", "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n"),
        ("two-part start line", "SIP/2.0 200\r\n\r\n"),
        ("status out of range", "SIP/2.0 999 Odd\r\n\r\n"),
        ("status not a number", "SIP/2.0 2x0 OK\r\n\r\n"),
        ("other protocol", "HTTP/1.1 200 OK\r\n\r\n"),
        ("request without version", "REGISTER sip:x HTTP/1.1\r\n\r\n"),
        ("header without colon", "SIP/2.0 200 OK\r\nno colon\r\n\r\n"),
        ("header name not a token", "SIP/2.0 200 OK\r\nBad Name: x\r\n\r\n"),
        ("continuation first", "SIP/2.0 200 OK\r\n folded: x\r\n\r\n"),
        ("control character", "SIP/2.0 200 OK\r\nX: a\u{01}b\r\n\r\n"),
        ("negative length", "SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n"),
        ("length not a number", "SIP/2.0 200 OK\r\nContent-Length: 5x\r\n\r\nhello"),
        ("huge length", "SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("two lengths", "SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 1\r\n\r\nx"),
        ("body shorter than the length", "SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
        ("too many headers", "SIP/2.0 200 OK\r\n" + String(repeating: "X: 1\r\n", count: 1025) + "\r\n"),
        ("too long a message", "SIP/2.0 200 OK\r\nX: " + String(repeating: "a", count: 70_000)),
    ]

    @Test("malformed datagrams are refused with a reason, never a crash", arguments: malformedInputs)
    func malformed(name: String, text: String) {
        #expect(throws: SIPMessage.ParseError.self, "\(name)") { try SIPMessage.parse(Array(text.utf8), framing: .datagram) }
    }

    @Test(
        "a registrar's 200 listing 600 bindings is read whole, a Contact line each or all in one (as Kamailio sends them)",
        arguments: [true, false]
    )
    func manyBindings(lineEach: Bool) throws {
        let contacts = (0..<600).map { "<sip:bob@127.0.0.1:47104;transport=udp;line=\(1_000_000 + $0)>;expires=3600" }
        let listed = lineEach ? contacts.map { "Contact: \($0)\r\n" }.joined() : "Contact: \(contacts.joined(separator: ", "))\r\n"
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:47104;branch=z9hG4bKa\r\nCSeq: 2 REGISTER\r\n" + listed + "Content-Length: 0\r\n\r\n"
        let parsed = try #require(try SIPMessage.parse(Array(text.utf8), framing: .datagram))
        #expect(parsed.message.values("Contact").count == 600)
    }

    @Test("a stream message needs Content-Length, and invalid UTF-8 is refused")
    func streamRules() {
        #expect(throws: SIPMessage.ParseError.self) { try SIPMessage.parse(Array("SIP/2.0 200 OK\r\nCSeq: 1 X\r\n\r\n".utf8), framing: .stream) }
        #expect(throws: SIPMessage.ParseError.self) { try SIPMessage.parse(Array("SIP/2.0 200 OK\r\nX: ".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8), framing: .datagram) }
        #expect(throws: SIPMessage.ParseError.self) { try SIPMessage.parse([UInt8](repeating: 65, count: 70_000), framing: .stream) }
    }
}
