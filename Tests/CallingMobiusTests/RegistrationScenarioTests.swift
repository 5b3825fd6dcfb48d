import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The reference client's test scenarios, "Registration", "429" and "Failover", over the real Mobius registrar.
@Suite("Registration scenarios", .timeLimit(.minutes(1)))
struct RegistrationScenarioTests {
    @Test("success: one POST with the documented body and headers; connecting, then registered")
    func success() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.next() == .connecting)
        guard case .registered(let info) = await iterator.next() else {
            Issue.record("expected registered")
            return
        }

        #expect(harness.calls() == ["POST \(LineHarness.p1)device"])
        let post = try #require(harness.mobius.requests.last)
        #expect(post.headers["Authorization"] == "Bearer token-1")
        #expect(post.headers["cisco-device-url"] == LineHarness.device.deviceURL)
        #expect(post.headers["spark-user-agent"] == "swift-calling/\(SwiftCalling.version)")
        #expect(post.headers["trackingid"]?.hasPrefix("swift-calling_") == true)
        #expect(post.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: post.body ?? Data()) as? [String: Any])
        #expect(body["userId"] as? String == "user-1")
        #expect(body["clientDeviceUri"] as? String == LineHarness.device.deviceURL)
        #expect(body["serviceData"] as? [String: String] == ["indicator": "calling", "domain": ""])

        #expect(info.status == .active)
        #expect(info.deviceID == "mobius-p1-dev")
        #expect(info.addresses == ["sip:alice@example.com"])
        #expect(info.keepaliveInterval == .seconds(30))
        #expect(info.details(as: MobiusDetails.self)?.callKeepaliveInterval == .seconds(60))
        #expect(info.rehomingWindow == .seconds(3600) ... .seconds(7200))
        #expect(info.mobius.rehomingIntervalMin == 60)
        #expect(info.mobius.rehomingIntervalMax == 120)
        #expect(info.mobius.voicePortalNumber == 8001)
        #expect(info.mobius.voicePortalExtension == 8001)
        #expect(info.lastSeen == ISO8601DateFormatter().date(from: "2026-11-21T10:00:00Z"))
        #expect(info.phoneNumber == "+15550100")
        #expect(info.extension == "100")
        #expect(info.isOnBackup == false)
        #expect(await line.info == info)
        await harness.shutDown()
    }

    @Test("401: one token refresh and one retry with a new tracking id, then error(token_error)")
    func unauthorized() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 401), HTTPResponse(status: 401))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "error(token_error)"])
        let posts = harness.mobius.requests.filter { $0.method == .post }
        #expect(posts.map { $0.headers["Authorization"] } == ["Bearer token-1", "Bearer token-2"])
        #expect(Set(posts.compactMap { $0.headers["trackingid"] }).count == 2)
        #expect(await line.info.status == .inactive)
        #expect(harness.client.scheduledCount == 0)
        await harness.shutDown()
    }

    @Test("403/101 then 200: one DELETE of the listed device, then registered; connecting, unregistered, registered")
    func deviceLimit() async throws {
        let harness = LineHarness()
        let listed = #"{"userId":"user-1","errorCode":101,"devices":[{"deviceId":"old-1","uri":"\#(LineHarness.p2)devices/old-1","clientDeviceUri":"https://wdm.example.com/old"}]}"#
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(403, listed))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "registered(mobius-p2.example.com)"])
        #expect(harness.calls() == [
            "POST \(LineHarness.p1)device",
            "DELETE \(LineHarness.p2)devices/old-1",
            "POST \(LineHarness.p2)device",
        ])
        let delete = harness.mobius.requests[harness.mobius.requests.count - 2]
        #expect(delete.headers["cisco-device-url"] == "https://wdm.example.com/old")
        await harness.shutDown()
    }

    @Test("a second 403/101 while restoring: no second DELETE, and the documented device-limit error")
    func deviceLimitReentry() async throws {
        let harness = LineHarness()
        let listed = #"{"errorCode":101,"devices":[{"deviceId":"old-1","uri":"\#(LineHarness.p1)devices/old-1","clientDeviceUri":"x"}]}"#
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(403, listed), .json(403, listed))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        guard case .error(let error) = await iterator.next() else {
            Issue.record("expected the device-limit error")
            return
        }
        #expect(error.msg == "Device limit exceeded. The user already logged in to a different device.")
        #expect(error.mobiusErrorCode == 101)
        #expect(error.httpStatus == 403)
        #expect(harness.calls().filter { $0.hasPrefix("DELETE") }.count == 1)
        #expect(await line.isStopped)
        #expect(harness.client.scheduledCount == 0)
        await harness.shutDown()
    }

    @Test("429 with Retry-After 42 on the first attempt: the retry waits 42 s, beating a shorter interval")
    func retryAfterBeatsInterval() async throws {
        let harness = LineHarness(jitter: 1)
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "42"]))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(42)])
        harness.clock.advance(by: .seconds(42))
        #expect(await iterator.names(1) == ["registered(mobius-p1.example.com)"])
        #expect(harness.calls() == ["POST \(LineHarness.p1)device", "POST \(LineHarness.p1)device"])
        await harness.shutDown()
    }

    @Test("a Retry-After given as an HTTP date is honoured too")
    func retryAfterDate() async throws {
        let harness = LineHarness(jitter: 1)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: harness.clock.date + 50)
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": date]))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(50)])
        await line.deregister()
        await harness.shutDown()
    }

    @Test("a non-numeric Retry-After falls back to the normal interval")
    func retryAfterGarbage() async throws {
        let harness = LineHarness(jitter: 1)
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "soon-ish"]))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(33)])
        await line.deregister()
        await harness.shutDown()
    }

    @Test("a Retry-After that would pass the 114 s budget goes straight to the backups")
    func retryAfterPastBudget() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "120"]))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "registered(mobius-b1.example.com)"])
        #expect(harness.calls() == ["POST \(LineHarness.p1)device", "POST \(LineHarness.b1)device"])
        #expect(harness.clock.now.offset == .zero)
        #expect(await line.info.isOnBackup)
        await harness.shutDown()
    }

    @Test("within a round the longest Retry-After wins: 429 (100 s) from the first primary, then 500 from the second")
    func roundKeepsRetryAfter() async throws {
        let harness = LineHarness(primaries: ["https://mobius-p1.example.com/api/v1", "https://mobius-p2.example.com/api/v1"], jitter: 1)
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "100"]))
        harness.mobius.script(.post, "\(LineHarness.p2)device", HTTPResponse(status: 500))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "unregistered"])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(100)])
        await line.deregister()
        await harness.shutDown()
    }

    @Test("a 500 after a 429 clears the stored Retry-After: the next round waits the interval again")
    func serverErrorClearsRetryAfter() async throws {
        let harness = LineHarness(jitter: 1)
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(429, "{}", headers: ["Retry-After": "42"]), HTTPResponse(status: 500))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.advanceToNextDeadline()
        #expect(harness.clock.now.offset == .seconds(42))
        #expect(await iterator.names(1) == ["unregistered"])
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(42 + 35)])
        await line.deregister()
        await harness.shutDown()
    }

    @Test("primary keeps failing: retries within the 114 s budget, then active on backup[0]")
    func failoverToBackup() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 500), HTTPResponse(status: 500), HTTPResponse(status: 500))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        var retryTimes: [Duration] = []
        for _ in 0..<2 {
            await harness.advanceToNextDeadline()
            retryTimes.append(harness.clock.now.offset)
            #expect(await iterator.names(1) == ["unregistered"])
        }
        #expect(await iterator.names(1) == ["registered(mobius-b1.example.com)"])
        #expect(retryTimes == [.seconds(42), .seconds(86)])
        #expect(harness.calls() == Array(repeating: "POST \(LineHarness.p1)device", count: 3) + ["POST \(LineHarness.b1)device"])
        let info = await line.info
        #expect(info.status == .active)
        #expect(info.isOnBackup)
        #expect(info.server?.description == LineHarness.b1)
        await harness.shutDown()
    }

    @Test("everything fails: primaries within the budget, the backup twice, then a final error(service_unavailable)")
    func everythingFails() async throws {
        let harness = LineHarness()
        for server in [LineHarness.p1, LineHarness.b1] {
            harness.mobius.script(.post, "\(server)device", HTTPResponse(status: 500), HTTPResponse(status: 500), HTTPResponse(status: 500))
        }
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        for _ in 0..<2 {
            await harness.advanceToNextDeadline()
            #expect(await iterator.names(1) == ["unregistered"])
        }
        #expect(await iterator.names(1) == ["unregistered"])
        await harness.advanceToNextDeadline()
        #expect(harness.clock.now.offset == .seconds(86 + 42))
        #expect(await iterator.names(2) == ["unregistered", "error(service_unavailable)"])
        #expect(harness.calls() == Array(repeating: "POST \(LineHarness.p1)device", count: 3) + Array(repeating: "POST \(LineHarness.b1)device", count: 2))
        #expect(await line.info.status == .inactive)
        #expect(harness.client.scheduledCount == 0)
        #expect(harness.progress[LineHarness.progressKey] == nil)
        await harness.shutDown()
    }

    @Test("failover progress is saved, and a new client's register() resumes it")
    func resumesPersistedFailover() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 500))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.clock.waitForSleepers()
        let saved = try #require(harness.progress[LineHarness.progressKey])
        #expect(saved.attempt == 1)
        #expect(saved.elapsedSeconds == 0)
        #expect(saved.onBackups == false)
        harness.runner.cancel()
        await harness.runner.value

        // A "restarted process": a new client sharing the saved progress, 20 s later.
        let restarted = LineHarness()
        await restarted.progress.save(
            FailoverProgress(attempt: 2, elapsedSeconds: 42, savedAt: restarted.clock.date - 20, onBackups: false),
            key: LineHarness.progressKey
        )
        restarted.mobius.script(.post, "\(LineHarness.p1)device", HTTPResponse(status: 500))
        let (resumed, resumedEvents) = try await restarted.addLine()
        var resumedIterator = resumedEvents
        try await resumed.register()
        #expect(await resumedIterator.names(1) == ["connecting"])
        await restarted.clock.waitForSleepers()
        // Attempt 2 at 62 s elapsed: interval 44 s, clamped to the 52 s left of the budget: 44 s, no POST first.
        #expect(restarted.clock.sleeperDeadlines.map(\.offset) == [.seconds(44)])
        #expect(restarted.calls().isEmpty)
        await restarted.advanceToNextDeadline()
        #expect(await resumedIterator.names(2) == ["unregistered", "registered(mobius-b1.example.com)"])
        await restarted.shutDown()
    }

    @Test("malformed registration JSON is a retryable failure, never a crash or a zero-delay loop")
    func malformedRegistration() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(200, #"{"device":{"#), .json(200, #"{"userId":"u"}"#))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "unregistered"])
        await harness.advanceToNextDeadline()
        #expect(harness.clock.now.offset == .seconds(42))
        #expect(await iterator.names(1) == ["unregistered"])
        await harness.advanceToNextDeadline()
        #expect(await iterator.names(1) == ["registered(mobius-p1.example.com)"])
        await harness.shutDown()
    }

    @Test("a registration without keepaliveInterval keeps alive every 30 s")
    func missingKeepaliveInterval() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(200, #"{"device":{"deviceId":"d1","uri":"\#(LineHarness.p1)devices/d1"},"keepaliveInterval":0}"#))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        #expect(await line.info.keepaliveInterval == .seconds(30))
        await harness.clock.waitForSleepers()
        #expect(harness.clock.sleeperDeadlines.map(\.offset) == [.seconds(30)])
        await harness.shutDown()
    }

    @Test(
        "final answers stop the line at once",
        arguments: [(400, "{}", "error(bad_request)"), (403, #"{"errorCode":102}"#, "error(forbidden)"), (404, "{}", "error(not_found)")]
    )
    func finalAnswers(status: Int, body: String, event: String) async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(status, body))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", event])
        #expect(harness.calls().count == 1)
        #expect(harness.client.scheduledCount == 0)
        await harness.shutDown()
    }

    @Test("a 403 with another errorCode tries the next server")
    func forbiddenRetryable() async throws {
        let harness = LineHarness(primaries: ["https://mobius-p1.example.com/api/v1", "https://mobius-p2.example.com/api/v1"])
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(403, #"{"errorCode":103}"#))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "unregistered", "registered(mobius-p2.example.com)"])
        await harness.shutDown()
    }

    @Test("register() on a registered or registering line emits connecting and sends nothing more")
    func registerTwice() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        try await line.register()
        #expect(await iterator.names(3) == ["connecting", "connecting", "registered(mobius-p1.example.com)"])
        try await line.register()
        #expect(await iterator.names(1) == ["connecting"])
        #expect(harness.calls() == ["POST \(LineHarness.p1)device"])
        await harness.shutDown()
        #expect(await iterator.names(2) == ["unregistered", "<finished>"])
    }
}
