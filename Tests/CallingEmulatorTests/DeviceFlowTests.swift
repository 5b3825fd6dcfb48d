import CallingAuth
import CallingEmulator
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The device authorization grant (RFC 8628) against the emulator over loopback HTTP, the polling
/// waits on a manual clock.
@Suite("Device authorization grant", .timeLimit(.minutes(1)))
struct DeviceFlowTests {
    let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))
    let clock = ManualClock()

    func start(_ configure: (inout WebexEmulator.Configuration) -> Void = { _ in }) async throws -> (EmulatorServer, OAuthClient) {
        var configuration = WebexEmulator.Configuration.defaults
        configure(&configuration)
        let server = try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
        return (server, EmulatorLogin.client(transport: transport, baseURL: server.baseURL, configuration: configuration))
    }

    /// Decides the pending grant over the admin API.
    func decide(_ action: String, _ authorization: DeviceAuthorization, at server: EmulatorServer) async throws {
        var request = HTTPRequest(
            method: .post, url: server.baseURL.appending(path: "_emulator/device"),
            body: Data(#"{"userCode": "\#(authorization.userCode)", "action": "\#(action)"}"#.utf8)
        )
        request.headers["Content-Type"] = "application/json"
        #expect(try await transport.send(request).status == 200)
    }

    /// Waits until the poll sleeps, checks when it will wake, and wakes it.
    func nextPoll(at seconds: Int) async {
        await clock.waitForSleepers()
        #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(seconds)])
        clock.advance(to: .init(offset: .seconds(seconds)))
    }

    @Test("pending twice, slow_down, approved: polls every interval, 5 s more after slow_down, and the tokens log in")
    func approved() async throws {
        let (server, client) = try await start()
        defer { server.stop() }
        let authorization = try await client.startDeviceAuthorization()
        #expect(authorization.interval == .seconds(5))
        #expect(authorization.verificationURIComplete?.absoluteString.hasSuffix("user_code=\(authorization.userCode)") == true)
        #expect(!"\(authorization)".contains("emu-dc-"))
        let poll = Task { [clock] in try await authorization.tokens(clock: clock) }
        await nextPoll(at: 5)
        await nextPoll(at: 10)
        await clock.waitForSleepers()
        try await decide("slow_down", authorization, at: server)
        await nextPoll(at: 15)
        await clock.waitForSleepers()
        #expect(clock.sleeperDeadlines.map(\.offset) == [.seconds(25)], "slow_down adds 5 s to the interval")
        try await decide("approve", authorization, at: server)
        clock.advance(to: .init(offset: .seconds(25)))
        let tokens = try await poll.value
        #expect(await server.emulator.requestCounts[.deviceToken] == 4)
        let store = TokenStore(client: client, persistence: MemoryTokenPersistence())
        try await store.login(with: tokens)
        #expect(try await store.accessToken() == tokens.accessToken)
    }

    @Test("the code expires before approval: expired_token, with no poll past expires_in")
    func expires() async throws {
        let (server, client) = try await start { $0.deviceCodeLifetime = .seconds(12) }
        defer { server.stop() }
        let authorization = try await client.startDeviceAuthorization()
        let poll = Task { [clock] in try await authorization.tokens(clock: clock) }
        await nextPoll(at: 5)
        await nextPoll(at: 10)
        let error = await #expect(throws: OAuthError.self) { try await poll.value }
        #expect(error?.code == .expiredToken)
        #expect(error?.message.contains("start the login again") == true)
        #expect(await server.emulator.requestCounts[.deviceToken] == 2)
    }

    @Test("the user declines: access_denied")
    func denied() async throws {
        let (server, client) = try await start()
        defer { server.stop() }
        let authorization = try await client.startDeviceAuthorization()
        try await decide("deny", authorization, at: server)
        let poll = Task { [clock] in try await authorization.tokens(clock: clock) }
        await nextPoll(at: 5)
        let error = await #expect(throws: OAuthError.self) { try await poll.value }
        #expect(error?.code == .accessDenied)
    }

    @Test("cancelling the wait ends it at once, without another poll")
    func cancelled() async throws {
        let (server, client) = try await start()
        defer { server.stop() }
        let authorization = try await client.startDeviceAuthorization()
        let poll = Task { [clock] in try await authorization.tokens(clock: clock) }
        await clock.waitForSleepers()
        poll.cancel()
        await #expect(throws: CancellationError.self) { try await poll.value }
        #expect(await server.emulator.requestCounts[.deviceToken] == nil)
    }

    @Test("an unknown client is refused in Webex's error format, and the error names the redirect helpers to list")
    func unknownClient() async throws {
        let (server, _) = try await start()
        defer { server.stop() }
        let stranger = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "stranger", clientSecret: Secret("x"), redirectURI: URL(string: "http://127.0.0.1/callback")!,
                endpoints: .emulator(baseURL: server.baseURL)
            ),
            transport: transport
        )
        let error = await #expect(throws: OAuthError.self) { try await stranger.startDeviceAuthorization() }
        #expect(error?.code == .invalidClient)
        #expect(error?.message.contains("oauth-helper-{a,k,r}.wbx2.com") == true)
    }

    @Test("a 503 (or an HTML error page) while polling is tried again at the next interval, within the code's lifetime (#20 case 9)")
    func transientFailures() async throws {
        let (server, client) = try await start()
        defer { server.stop() }
        let authorization = try await client.startDeviceAuthorization()
        await server.emulator.inject(EmulatorFault(status: 503, body: "<html>down</html>"), count: 2, into: .deviceToken)
        try await decide("approve", authorization, at: server)
        let poll = Task { [clock] in try await authorization.tokens(clock: clock) }
        await nextPoll(at: 5)
        await nextPoll(at: 10)
        await nextPoll(at: 15)
        _ = try await poll.value
        #expect(await server.emulator.requestCounts[.deviceToken] == 3)
    }

    @Test(
        "a device answer to refuse: a verification page that is not https, text a terminal would render deceptively or at any length (#20 case 11)",
        arguments: [
            #""verification_uri":"javascript:alert(1)","user_code":"ABCD""#, #""verification_uri":"file:///etc/passwd","user_code":"ABCD""#,
            #""verification_uri":"http://login.example.com/device","user_code":"ABCD""#,
            #""verification_uri":"https://login.example.com/device","user_code":"AB\u202eDC""#,
            #""verification_uri":"https://login.example.com/device","user_code":"AB\nlogged in; tokens saved""#,
            #""verification_uri":"https://login.example.com/device","user_code":"\#(String(repeating: "A", count: 600))""#,
        ]
    )
    func refusedDeviceAnswer(fields: String) async throws {
        let client = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "client", clientSecret: Secret("x"), redirectURI: URL(string: "http://127.0.0.1/callback")!,
                endpoints: .emulator(baseURL: URL(string: "http://127.0.0.1:1")!)
            ),
            transport: InMemoryTransport { _ in .json(200, #"{"device_code":"dc",\#(fields),"expires_in":300}"#) }
        )
        let error = await #expect(throws: OAuthError.self) { try await client.startDeviceAuthorization() }
        #expect(error?.code == .unexpectedResponse)
    }

    @Test("a device code's lifetime and polling interval are held to a day (expires_in 10^18 was taken as it was)")
    func heldLifetime() async throws {
        let client = OAuthClient(
            configuration: OAuthConfiguration(
                clientID: "client", clientSecret: Secret("x"), redirectURI: URL(string: "http://127.0.0.1/callback")!,
                endpoints: .emulator(baseURL: URL(string: "http://127.0.0.1:1")!)
            ),
            transport: InMemoryTransport { _ in
                .json(200, #"{"device_code":"dc","user_code":"ABCD","verification_uri":"https://login.example.com/device","expires_in":1e18,"interval":1e18}"#)
            }
        )
        let authorization = try await client.startDeviceAuthorization()
        #expect(authorization.expiresIn == .seconds(86_400))
        #expect(authorization.interval == .seconds(86_400))
    }
}
