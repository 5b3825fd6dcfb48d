import CallingCore
import CallingMobius
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The documented registration answer, and the Line object the app sees.
@Suite("Line object", .timeLimit(.minutes(1)))
struct LineObjectTests {
    /// The registration answer, as documented (numeric voice portal fields).
    static let documentedAnswer = """
        { "userId": "user-1",
          "device": { "deviceId": "dev-42", "uri": "\(LineHarness.p1)devices/dev-42", "status": "active",
                      "lastSeen": "2026-11-21T10:00:00Z", "addresses": ["sip:alice@example.com"], "clientDeviceUri": "https://wdm.example.com/dev" },
          "keepaliveInterval": 30, "callKeepaliveInterval": 60,
          "rehomingIntervalMin": 60, "rehomingIntervalMax": 120,
          "voicePortalNumber": 8001, "voicePortalExtension": 8001 }
        """

    @Test("the documented registration answer decodes into the documented Line object, and the object encodes with its names")
    func documentedShapes() async throws {
        let harness = LineHarness()
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(200, Self.documentedAnswer))
        let (line, events) = try await harness.addLine()
        var iterator = events
        try await line.register()
        _ = await iterator.next()
        guard case .registered(let info) = await iterator.next() else {
            Issue.record("expected registered")
            return
        }
        #expect(info.deviceID == "dev-42")
        let details = try #require(info.details(as: MobiusDetails.self))
        #expect(details.voicePortalNumber == 8001)
        #expect(details.voicePortalExtension == 8001)
        #expect(details.callKeepaliveInterval == .seconds(60))
        #expect(info.status == .active)

        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(info.mobius)) as? [String: Any])
        #expect(object["lineId"] as? String == info.lineID.uuidString)
        #expect(object["mobiusDeviceId"] as? String == "dev-42")
        #expect(object["status"] as? String == "active")
        #expect(object["lastSeen"] as? String == "2026-11-21T10:00:00Z")
        #expect(object["keepaliveInterval"] as? Int == 30)
        #expect(object["voicePortalNumber"] as? Int == 8001)
        #expect(object["sipAddresses"] as? [String] == ["sip:alice@example.com"])
        #expect(object["callKeepaliveInterval"] as? Int == 60)
        #expect(try JSONDecoder().decode(MobiusLine.self, from: JSONEncoder().encode(info.mobius)) == info.mobius)
        var neutral = try JSONDecoder().decode(LineInfo.self, from: JSONEncoder().encode(info))
        #expect(neutral.details == nil)
        neutral.details = info.details
        #expect(neutral == info)
        await harness.shutDown()
    }

    @Test("voice portal fields given as numeric strings decode as numbers too")
    func numericStrings() async throws {
        let harness = LineHarness()
        let answer = Self.documentedAnswer.replacingOccurrences(of: "\"voicePortalNumber\": 8001", with: "\"voicePortalNumber\": \"8002\"")
        harness.mobius.script(.post, "\(LineHarness.p1)device", .json(200, answer))
        let (line, _) = try await harness.registeredLine()
        #expect(await line.info.mobius.voicePortalNumber == 8002)
        await harness.shutDown()
    }

    @Test("lastSeen is the registration's at first, then the time of each successful keepalive")
    func lastSeen() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.registeredLine()
        var iterator = events
        #expect(await line.info.lastSeen == ISO8601DateFormatter().date(from: "2026-11-21T10:00:00Z"))
        harness.mobius.script(.post, "\(LineHarness.p1)devices/mobius-p1-dev/status", HTTPResponse(status: 500))
        await harness.advanceOneInterval()
        #expect(await iterator.names(1) == ["reconnecting"])
        #expect(await line.info.lastSeen == ISO8601DateFormatter().date(from: "2026-11-21T10:00:00Z"))
        await harness.advanceOneInterval()
        #expect(await iterator.names(1) == ["reconnected"])
        #expect(await line.info.lastSeen == harness.clock.date)
        await harness.shutDown()
    }

    @Test("status: inactive at first, active when registered, idle after deregister()")
    func status() async throws {
        let harness = LineHarness()
        let (line, events) = try await harness.addLine()
        var iterator = events
        #expect(await line.status == .inactive)
        try await line.register()
        #expect(await iterator.names(2) == ["connecting", "registered(mobius-p1.example.com)"])
        #expect(await line.status == .active)
        await line.deregister()
        #expect(await iterator.names(1) == ["unregistered"])
        #expect(await line.status == .idle)
        #expect(await line.info.status == .idle)
        await harness.shutDown()
    }
}
