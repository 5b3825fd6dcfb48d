import CallingAuth
import CallingTransport
import Foundation
import Testing

@Suite("Secrets stay out of descriptions, dumps and errors")
struct RedactionTests {
    static let secrets = ["AT-sekrit", "RT-sekrit", "CS-sekrit"]

    func expectClean(_ texts: [String]) {
        for text in texts {
            for secret in Self.secrets {
                #expect(!text.contains(secret), "\(secret) leaked in: \(text)")
            }
        }
    }

    func renderings(_ value: some Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(reflecting: value), dumped]
    }

    @Test("token sets and token responses")
    func tokens() {
        let response = TokenResponse(
            accessToken: Secret("AT-sekrit"), expiresIn: 60, refreshToken: Secret("RT-sekrit"), scopes: ["spark:xsi"]
        )
        let set = TokenSet(response: response, receivedAt: Date())
        expectClean(renderings(response) + renderings(set))
        #expect("\(set)".contains("spark:xsi"))
    }

    @Test("configurations, clients and authorization requests")
    func configuration() {
        let configuration = OAuthConfiguration(
            clientID: "client", clientSecret: Secret("CS-sekrit"), redirectURI: URL(string: "http://127.0.0.1:1/cb")!
        )
        let client = OAuthClient(configuration: configuration, transport: InMemoryTransport { _ in HTTPResponse(status: 500) })
        expectClean(renderings(configuration) + renderings(client) + renderings(client.makeAuthorizationRequest()))
    }

    @Test("errors from the token endpoint, whatever its body echoes")
    func errors() async throws {
        let echoing = InMemoryTransport { request in
            HTTPResponse(status: 401, body: Data(#"{"error":"invalid_client","echo":"\#(String(decoding: request.body ?? Data(), as: UTF8.self))"}"#.utf8))
        }
        let client = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "client", clientSecret: Secret("CS-sekrit"), redirectURI: URL(string: "http://127.0.0.1:1/cb")!,
                endpoints: .init(authorizeURL: URL(string: "https://a.example.com/a")!, tokenURL: URL(string: "https://a.example.com/t")!)
            ),
            transport: echoing
        )
        let error = await #expect(throws: OAuthError.self) { try await client.refresh(using: Secret("RT-sekrit")) }
        #expect(error?.code == .invalidClient)
        expectClean(error.map(renderings) ?? [])
    }
}
