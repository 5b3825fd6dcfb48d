@testable import CallingSIP
import CallingTransport
import Foundation
import Testing

@Suite("SIP digest authentication")
struct DigestTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test(
        "MD5 matches RFC 1321's test suite",
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ]
    )
    func md5(message: String, digest: String) {
        #expect(Self.hex(MD5.hash(Array(message.utf8))) == digest)
    }

    @Test("RFC 2617 §3.5: qop=auth with MD5")
    func rfc2617() throws {
        let challenge = try #require(DigestChallenge(
            header: #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        ))
        #expect(challenge.qopAuth)
        #expect(challenge.algorithm == .md5)
        let answer = DigestCredentials(username: "Mufasa", password: Secret("Circle Of Life"))
            .answer(challenge, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: "0a4f113b")
        #expect(answer.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(answer.contains("nc=00000001"))
        #expect(answer.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        #expect(!answer.contains("Circle Of Life"))
    }

    @Test("RFC 7616 §3.9.1: SHA-256 and MD5 answers to the same challenge")
    func rfc7616() throws {
        let header = #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
        let credentials = DigestCredentials(username: "Mufasa", password: Secret("Circle of Life"))
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
        let sha256 = try #require(DigestChallenge(header: header))
        #expect(sha256.algorithm == .sha256)
        #expect(credentials.answer(sha256, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: cnonce)
            .contains(#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#))
        let md5 = try #require(DigestChallenge(header: header.replacingOccurrences(of: "algorithm=SHA-256", with: "algorithm=MD5")))
        #expect(credentials.answer(md5, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: cnonce)
            .contains(#"response="8ca523f5e9506fed4657c9700eebdbec""#))
    }

    @Test("without qop, the legacy answer: H(HA1:nonce:HA2), no nc or cnonce")
    func legacy() throws {
        let challenge = try #require(DigestChallenge(header: #"Digest realm="127.0.0.1", nonce="abc123""#))
        #expect(!challenge.qopAuth)
        let credentials = DigestCredentials(username: "dave", password: Secret("dave-secret"))
        let answer = credentials.answer(challenge, method: "REGISTER", uri: "sip:127.0.0.1:15060", nonceCount: 1, cnonce: "x")
        let ha1 = Self.hex(MD5.hash(Array("dave:127.0.0.1:dave-secret".utf8)))
        let ha2 = Self.hex(MD5.hash(Array("REGISTER:sip:127.0.0.1:15060".utf8)))
        #expect(answer.contains("response=\"\(Self.hex(MD5.hash(Array("\(ha1):abc123:\(ha2)".utf8))))\""))
        #expect(!answer.contains("nc=") && !answer.contains("cnonce="))
    }

    @Test("stale=true, and a nonce count in hex")
    func staleAndCount() throws {
        let challenge = try #require(DigestChallenge(header: #"Digest realm="r", nonce="n", qop="auth", stale=true"#))
        #expect(challenge.stale)
        let answer = DigestCredentials(username: "u", password: Secret("p")).answer(challenge, method: "REGISTER", uri: "sip:r", nonceCount: 26, cnonce: "c")
        #expect(answer.contains("nc=0000001a"))
    }

    @Test(
        "malformed or foreign challenges are refused, never a crash",
        arguments: [
            "", "Basic realm=\"x\"", "Digest", "Digest realm=\"r\"", "Digest nonce=\"n\"", "Digest realm=\"r\", nonce=\"unterminated",
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", "Digest =\"r\"", "Digest realm=\"r\", nonce=\"\"",
            "Digest realm=\"r\", nonce=\"n\", garbage", String(repeating: "Digest realm=\"r\", ", count: 400) + "nonce=\"n\"",
        ]
    )
    func malformed(header: String) {
        #expect(DigestChallenge(header: header) == nil)
    }

    @Test("quoted values keep escaped quotes and commas")
    func quoting() throws {
        let challenge = try #require(DigestChallenge(header: #"Digest realm="a \"b\", c", nonce="n""#))
        #expect(challenge.realm == #"a "b", c"#)
        let answer = DigestCredentials(username: #"x"y"#, password: Secret("p")).answer(challenge, method: "REGISTER", uri: "sip:r", nonceCount: 1, cnonce: "c")
        #expect(answer.contains(#"username="x\"y""#))
        #expect(answer.contains(#"realm="a \"b\", c""#))
    }
}
