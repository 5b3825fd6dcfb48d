import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The reference client's test scenarios, "Keepalive", plus overlap and miss limits.
@Suite("Keepalive scenarios", .timeLimit(.minutes(1)))
struct KeepaliveScenarioTests {
    static let status = "\(LineHarness.p1)devices/mobius-p1-dev/status"

    /// Advances one keepalive interval and waits for the keepalive request.
    func keepalive(_ harness: LineHarness, interval: Duration = .seconds(30)) async -> HTTPRequest {
        let before = harness.mobius.requests.count
        await harness.advanceOneInterval(interval)
        return await harness.mobius.requests(count: before + 1).last!
    }

    @Test("keepalives go every interval to the device's status URL, with the current token")
    func currentToken() async throws {
        let harness = LineHarness()
        let (_, _) = try await harness.registeredLine()
        let first = await keepalive(harness)
        #expect("\(first.method) \(first.url)" == "POST \(Self.status)")
        #expect(first.headers["Authorization"] == "Bearer token-1")
        #expect(first.headers["cisco-device-url"] == LineHarness.device.deviceURL)
        #expect(harness.clock.now.offset == .seconds(30))

        harness.tokens.rotate()
        let second = await keepalive(harness)
        #expect(second.headers["Authorization"] == "Bearer token-2")
        #expect(first.headers["trackingid"] != second.headers["trackingid"])
        await harness.shutDown()
    }

    @Test("an expired token during keepalives is refreshed once and the line stays registered")
    func tokenExpiresDuringKeepalives() async throws {
        let harness = LineHarness()
        let (line, iterator) = try await harness.registeredLine()
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 401))
        let before = harness.mobius.requests.count
        await harness.clock.waitForSleepers()
        harness.clock.advance(by: .seconds(30))
        let attempts = await harness.mobius.requests(count: before + 2).suffix(2)
        #expect(attempts.map { $0.headers["Authorization"] } == ["Bearer token-1", "Bearer token-2"])
        #expect(attempts.map(\.url.absoluteString) == [Self.status, Self.status])
        #expect(harness.tokens.rejected == ["token-1"])
        _ = await keepalive(harness)
        #expect(await line.info.status == .active)
        await harness.shutDown()
        var rest = iterator
        #expect(await rest.names(2) == ["unregistered", "<finished>"])
    }

    @Test("a failure below the threshold reports reconnecting; the next success reports reconnected")
    func reconnectingThenReconnected() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 500), HTTPResponse(status: 503))
        _ = await keepalive(harness)
        #expect(await iterator.names(1) == ["reconnecting"])
        _ = await keepalive(harness)
        #expect(await iterator.names(1) == ["reconnecting"])
        _ = await keepalive(harness)
        #expect(await iterator.names(1) == ["reconnected"])
        #expect(await line.info.status == .active)
        await harness.shutDown()
    }

    @Test("the 5th consecutive failure: unregistered, reconnect to the last server, registered; twice in a row")
    func fifthFailureReconnects() async throws {
        let harness = LineHarness()
        let (_, events) = try await harness.registeredLine()
        var iterator = events
        for _ in 0..<2 {
            for _ in 0..<5 {
                harness.mobius.script(.post, Self.status, HTTPResponse(status: 500))
            }
            for _ in 0..<4 {
                _ = await keepalive(harness)
                #expect(await iterator.names(1) == ["reconnecting"])
            }
            _ = await keepalive(harness)
            #expect(await iterator.names(2) == ["unregistered", "registered(mobius-p1.example.com)"])
        }
        #expect(harness.calls().filter { $0.hasSuffix("/device") }.count == 3)
        await harness.shutDown()
    }

    @Test("contact center lines give up after 4 misses")
    func contactCenterThreshold() async throws {
        let harness = LineHarness(indicator: .contactCenter)
        let (_, events) = try await harness.registeredLine()
        var iterator = events
        for _ in 0..<4 {
            harness.mobius.script(.post, Self.status, HTTPResponse(status: 500))
        }
        for _ in 0..<3 {
            _ = await keepalive(harness)
            #expect(await iterator.names(1) == ["reconnecting"])
        }
        _ = await keepalive(harness)
        #expect(await iterator.names(2) == ["unregistered", "registered(mobius-p1.example.com)"])
        let body = try JSONSerialization.jsonObject(with: harness.mobius.requests.last?.body ?? Data()) as? [String: Any]
        #expect((body?["serviceData"] as? [String: String])?["indicator"] == "contactcenter")
        await harness.shutDown()
    }

    @Test("404 on a keepalive: error(not_found) and unregistered, then a fresh registration")
    func notFound() async throws {
        let harness = LineHarness()
        let (_, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 404))
        _ = await keepalive(harness)
        #expect(await iterator.names(3) == ["error(not_found)", "unregistered", "registered(mobius-p1.example.com)"])
        #expect(harness.calls().suffix(2) == ["POST \(Self.status)", "POST \(LineHarness.p1)device"])
        await harness.shutDown()
    }

    @Test("429 with Retry-After 20 on a keepalive: the next goes 20 s later, then every interval again")
    func keepaliveRetryAfter() async throws {
        let harness = LineHarness()
        let (line, _) = try await harness.registeredLine()
        harness.mobius.script(.post, Self.status, .json(429, "{}", headers: ["Retry-After": "20"]))
        _ = await keepalive(harness)
        await harness.clock.waitForSleeper(until: .init(offset: .seconds(50)))
        _ = await keepalive(harness, interval: .seconds(20))
        #expect(harness.clock.now.offset == .seconds(50))
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(80)])
        #expect(await line.info.status == .active)
        await harness.shutDown()
    }

    @Test("a final answer on a keepalive: error and unregistered, and no more keepalives")
    func finalKeepaliveAnswer() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        harness.mobius.script(.post, Self.status, HTTPResponse(status: 400))
        _ = await keepalive(harness)
        #expect(await iterator.names(2) == ["error(bad_request)", "unregistered"])
        #expect(await line.info.status == .inactive)
        await harness.shutDown()
        #expect(harness.calls().filter { $0.hasSuffix("/status") }.count == 1)
    }
}

@Suite("Keepalive overlap", .timeLimit(.minutes(1)))
struct KeepaliveOverlapTests {
    @Test("a keepalive still waiting at the next one is cancelled and counted as a miss; they never overlap")
    func slowKeepaliveIsAMiss() async throws {
        let harness = LineHarness()
        let status = KeepaliveScenarioTests.status
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        let slow = Gate()
        harness.mobius.hold(.post, status, until: slow)

        await harness.clock.waitForSleepers()
        harness.clock.advance(by: .seconds(30))
        _ = await harness.mobius.requests(count: 3)
        await harness.clock.waitForSleepers()
        harness.clock.advance(by: .seconds(30))
        #expect(await iterator.names(2) == ["reconnecting", "reconnected"])
        #expect(harness.calls().filter { $0.hasSuffix("/status") }.count == 2)
        slow.open()

        await harness.clock.waitForSleepers()
        harness.clock.advance(by: .seconds(30))
        _ = await harness.mobius.requests(count: 5)
        #expect(harness.calls().filter { $0.hasSuffix("/status") }.count == 3)
        #expect(await line.info.status == .active)
        await harness.shutDown()
        #expect(await iterator.names(2) == ["unregistered", "<finished>"])
    }
}
