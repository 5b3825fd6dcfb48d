import CallingCore
@testable import CallingEmulator
import CallingMobius
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The emulator's Mobius endpoints touch only what the token's user owns: a request with one
/// user's token about another user's device or registration is refused with 403/103.
@Suite("Emulator ownership", .timeLimit(.minutes(1)))
struct EmulatorOwnershipTests {
    let clock = ManualClock()
    let base = WebexEmulator.inMemoryBaseURL

    @Test("another user's token cannot keep alive, delete or take over a registration; its owner still can")
    func anotherUsersToken() async throws {
        let emulator = WebexEmulator(configuration: .defaults, now: clock.wallClock)
        let handler = emulator.handler(baseURL: base)
        let transport = InMemoryTransport(handler: handler)
        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: base, now: clock.wallClock)
        let registrar = MobiusRegistrar(configuration: .emulator(baseURL: base), transport: transport, tokenProvider: store, now: clock.wallClock)
        let primary = try await registrar.discoverServers().primaries[0]
        let device = try await registrar.makeDevice()
        guard case .succeeded(let registration) = await registrar.register(device, at: primary).kind else {
            Issue.record("the owner's registration failed")
            return
        }
        let intruder = try await token(for: "intruder", from: emulator)
        let deviceURI = try #require(registration.device.uri)

        func send(_ method: HTTPMethod, _ url: URL, body: String? = nil, deviceURL: String? = nil) async throws -> HTTPResponse {
            var request = HTTPRequest(method: method, url: url, body: body.map { Data($0.utf8) })
            request.headers["Authorization"] = "Bearer \(intruder)"
            request.headers["Content-Type"] = "application/json"
            request.headers["cisco-device-url"] = deviceURL
            return try await handler(request)
        }
        let keepalive = try await send(.post, deviceURI.appending(path: "status"))
        let deletion = try await send(.delete, deviceURI)
        let takeover = try await send(
            .post, primary.url.appending(path: "device"),
            body: #"{"userId":"intruder","clientDeviceUri":"\#(device.deviceURL)","serviceData":{"indicator":"calling"}}"#,
            deviceURL: device.deviceURL
        )
        for answer in [keepalive, deletion, takeover] {
            #expect(answer.status == 403)
            #expect((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["errorCode"] as? Int == 103)
        }
        #expect(await emulator.registeredDevices.map(\.userID) == ["emulator-user"])
        #expect(await registrar.keepalive(registration).error == nil)
        #expect(await registrar.deregister(registration.device).error == nil)
        #expect(await emulator.registeredDevices.isEmpty)
    }

    /// An access token the emulator issued to `userID`.
    private func token(for userID: String, from emulator: WebexEmulator) async throws -> String {
        let answer = await emulator.issueTokens(userID: userID, scope: "spark:all", refreshToken: nil)
        let fields = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        return try #require(fields["access_token"] as? String)
    }
}
