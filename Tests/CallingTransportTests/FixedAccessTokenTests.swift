import CallingTransport
import Testing

@Suite("Fixed access token")
struct FixedAccessTokenTests {
    @Test("serves its token; a refused one asks for a new login and never shows the token")
    func refusal() async throws {
        let provider = FixedAccessToken(Secret("AT-given"))
        #expect(try await provider.accessToken() == Secret("AT-given"))
        let error = await #expect(throws: FixedAccessToken.Refused.self) { try await provider.refreshedAccessToken(replacing: Secret("AT-given")) }
        #expect(error?.requiresLogin == true)
        #expect(error.map { "\($0)" }?.contains("AT-given") == false)
    }
}
