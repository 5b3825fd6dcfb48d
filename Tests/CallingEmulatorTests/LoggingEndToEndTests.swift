@testable import CallingAuth
import CallingCore
import CallingEmulator
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The log hook through a whole life, over loopback HTTP: what is logged, and that no secret is.
@Suite("Logging end to end", .timeLimit(.minutes(2)))
struct LoggingEndToEndTests {
    @Test("refreshes, requests with tracking ids, misses, retries, failover and rehoming are logged; no token, code, verifier or secret")
    func aWholeLifeLogged() async throws {
        let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: .defaults))
        defer { server.stop() }
        let handler = RecordingLogHandler()
        let transport = TransportPipeline(
            middlewares: [RequestLoggingMiddleware(logger: handler.logger)],
            transport: URLSessionTransport(configuration: .init(timeout: .seconds(30)))
        )

        let oauth = EmulatorLogin.client(transport: transport, baseURL: server.baseURL, configuration: server.emulator.configuration)
        let authorization = oauth.makeAuthorizationRequest()
        let code = try authorization.authorizationCode(fromRedirect: try await EmulatorBrowser.approve(authorization.url, transport: transport))
        let store = TokenStore(client: oauth, persistence: MemoryTokenPersistence(), logger: handler.logger)
        let first = try await store.login(with: try await oauth.exchange(code: code, for: authorization))
        let refreshed = try await store.refresh()

        let clock = ManualClock()
        let registrar = MobiusRegistrar(
            configuration: server.mobiusConfiguration, transport: URLSessionTransport(configuration: .init(timeout: .seconds(30))),
            tokenProvider: store, logger: handler.logger
        )
        let client = CallingClient(
            registrar: registrar, clock: clock, random: RandomSource { draw, range in draw == .retryJitter ? 10 : range.lowerBound }, logger: handler.logger
        )
        let runner = Task { try? await client.run() }
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        #expect(await events.serverNames(2) == ["connecting", "registered(primary)"])

        await EndToEndTests.failOverAndRehome(server, client: client, clock: clock, events: &events)
        client.beginGracefulShutdown()
        await runner.value

        func records(_ message: String, _ key: String, _ value: String) -> [LogRecord] {
            handler.records(message).filter { $0.metadata[key]?.contains(value) == true }
        }
        #expect(handler.records("token refresh started").count == 1)
        #expect(handler.records("token refresh finished").count == 1)
        let mobius = handler.records("HTTP request answered").filter { $0.source == "CallingMobius" }
        #expect(mobius.contains { $0.metadata["method"] == "POST" && $0.metadata["url"]?.hasSuffix("/devices") == true && $0.metadata["status"] == "200" })
        let authorized = mobius.filter { $0.metadata["url"] != server.mobiusConfiguration.regionURL.absoluteString }
        #expect(authorized.count == mobius.count - 1, "only the region lookup is anonymous")
        #expect(authorized.allSatisfy { $0.metadata["trackingid"]?.hasPrefix("swift-calling_") == true })
        #expect(Set(authorized.compactMap { $0.metadata["trackingid"] }).count == authorized.count, "tracking ids are unique")
        #expect(!records("HTTP request failed", "error", "connection refused").isEmpty)
        #expect(handler.records("keepalive missed").count == 5)
        #expect(records("keepalive missed", "missesBefore", "4").count == 1)
        #expect(!records("retry scheduled", "activity", "retrying the primaries").isEmpty)
        #expect(records("registration attempt", "activity", "failing over to the backups").contains { $0.metadata["server"]?.contains("backup") == true })
        #expect(records("rehoming check scheduled", "activity", "registered on a backup").first?.metadata["inSeconds"] == "3600.0")
        #expect(handler.records("pinging the primaries to rehome").count == 1)
        #expect(records("registration attempt", "activity", "rehoming to a primary").contains { $0.metadata["server"]?.contains("primary") == true })
        #expect(handler.records.allSatisfy { $0.level <= .debug })

        let secrets = [
            first.accessToken.value, first.refreshToken?.value, refreshed.accessToken.value, refreshed.refreshToken?.value,
            code.value, authorization.codeVerifier.value, server.emulator.configuration.clientSecret.value,
        ].compactMap { $0 }
        #expect(secrets.count == 7)
        let everything = handler.records.map(\.description).joined(separator: "\n")
        for secret in secrets {
            #expect(!everything.contains(secret), "a secret was logged")
        }
    }
}
