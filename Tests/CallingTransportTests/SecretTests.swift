import CallingTransport
import Foundation
import Testing

@Suite("Secret redaction")
struct SecretTests {
    @Test("description, debugDescription, interpolation and dump never show the value")
    func redaction() {
        let secret = Secret("tok-ABC123")
        var dumped = ""
        dump(secret, to: &dumped)
        for text in [secret.description, secret.debugDescription, "\(secret)", String(reflecting: secret), dumped] {
            #expect(!text.contains("ABC123"), "leaked in \(text)")
        }
        #expect(secret.value == "tok-ABC123")
    }

    @Test("encodes as the plain string, for token files")
    func codable() throws {
        let data = try JSONEncoder().encode(["token": Secret("v")])
        #expect(String(decoding: data, as: UTF8.self) == #"{"token":"v"}"#)
        #expect(try JSONDecoder().decode([String: Secret].self, from: data)["token"] == Secret("v"))
    }

    @Test("a request's description hides its query, headers and body")
    func requestDescription() {
        let request = HTTPRequest(
            method: .post,
            url: URL(string: "https://example.com/callback?code=sekrit-code&state=s")!,
            headers: ["Authorization": "Bearer sekrit"],
            body: Data("client_secret=sekrit".utf8)
        )
        #expect("\(request)" == "POST https://example.com/callback (20 body bytes)")
        #expect("\(HTTPResponse(status: 200, body: Data("{\"access_token\":\"sekrit\"}".utf8)))" == "HTTP 200 (25 body bytes)")
    }
}
