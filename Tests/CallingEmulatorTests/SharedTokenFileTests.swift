import CallingAuth
import CallingEmulator
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// Stores in several processes sharing one token file, modelled by several stores with their own
/// `FileTokenPersistence` (each opens the lock file itself, as a process does, and `flock`
/// excludes separate opens alike).
@Suite("Token file shared between stores", .timeLimit(.minutes(1)))
struct SharedTokenFileTests {
    @Test("8 stores needing a refresh at once against a rotating server: one grant, and all end with the newest tokens")
    func oneRefreshForAll() async throws {
        let clock = ManualClock()
        var configuration = WebexEmulator.Configuration.defaults
        configuration.rotatesRefreshTokens = true
        let emulator = WebexEmulator(configuration: configuration, now: clock.wallClock)
        let base = WebexEmulator.inMemoryBaseURL
        let transport = InMemoryTransport(handler: emulator.handler(baseURL: base))
        let path = FileManager.default.temporaryDirectory.appending(path: "shared-\(UUID().uuidString)/tokens.json").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base, configuration: configuration, persistence: FileTokenPersistence(path: path))
        let client = EmulatorLogin.client(transport: transport, baseURL: base, configuration: configuration)
        let stores = (0..<8).map { _ in TokenStore(client: client, persistence: FileTokenPersistence(path: path), now: { clock.date + 3590 }) }
        for store in stores {
            _ = try await store.currentTokens()
        }
        let tokens = try await withThrowingTaskGroup(of: Secret.self) { group in
            for store in stores {
                group.addTask { try await store.accessToken() }
            }
            return try await group.reduce(into: Set<Secret>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1, "every store holds the same new access token")
        #expect(await emulator.requestCounts[.token] == 2, "the login's exchange and one refresh")
        let saved = try #require(try await FileTokenPersistence(path: path).load())
        #expect(tokens.first == saved.accessToken)
        let later = TokenStore(client: client, persistence: FileTokenPersistence(path: path))
        #expect(try await later.refresh().refreshToken != saved.refreshToken, "the saved refresh token is the live one")
    }
}
