import AsyncHTTPClient
import CallingAsyncHTTPClient
import CallingAuth
import CallingCore
import CallingEmulator
import CallingMobius
import CallingTransport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The AsyncHTTPClient transport against the emulator over real loopback HTTP: the same
/// scenarios the URLSession transport passes, and its failures mapped to `TransportError`.
@Suite("AsyncHTTPClient transport over loopback", .serialized, .timeLimit(.minutes(2)))
struct AsyncHTTPClientTransportTests {
    /// A client that hands 3xx answers back, as the login's redirect needs.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
    )

    let transport = AsyncHTTPClientTransport(client: Self.client, configuration: .init(timeout: .seconds(5)))

    func start(_ configure: (inout WebexEmulator.Configuration) -> Void = { _ in }) async throws -> EmulatorServer {
        var configuration = WebexEmulator.Configuration.defaults
        configure(&configuration)
        return try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
    }

    func registrar(_ server: EmulatorServer) async throws -> MobiusRegistrar {
        let store = try await EmulatorLogin.tokenStore(transport: transport, baseURL: server.baseURL, configuration: server.emulator.configuration)
        return MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store)
    }

    @Test("login with PKCE through the authorize redirect, register, keepalives at the assigned 1 s interval, deregister")
    func loginRegisterKeepalives() async throws {
        let server = try await start { $0.keepaliveInterval = 1 }
        defer { server.stop() }
        let registrar = try await registrar(server)
        #expect(await server.emulator.requestCounts[.token] == 1)
        try await withCallingClient(registrar: registrar) { client in
            let line = try await client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            #expect(await events.next() == .connecting)
            guard case .registered(let info) = await events.next() else {
                Issue.record("not registered")
                return
            }
            #expect(info.keepaliveInterval == .seconds(1))
            await server.emulator.waitForRequests(to: .keepalive, count: 2)
            #expect(await server.emulator.registeredDevices.count == 1)
            #expect(await line.status == .active)
        }
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    @Test("the primary refuses connections: keepalives miss, and the line fails over to the backup")
    func failover() async throws {
        let server = try await start { $0.keepaliveInterval = 1 }
        defer { server.stop() }
        let configuration = CallingClient.Configuration(
            retryPolicy: RetryPolicy(base: .zero, jitter: 0...0, primaryBudget: .seconds(1)), keepaliveMissLimit: 2
        )
        try await withCallingClient(registrar: try await registrar(server), configuration: configuration) { client in
            let line = try await client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            #expect(await events.next() == .connecting)
            guard case .registered = await events.next() else {
                Issue.record("not registered")
                return
            }
            await server.emulator.setOutage(.connectionRefused, server: "primary")
            var seen: [String] = []
            while let event = await events.next() {
                if case .registered(let info) = event {
                    #expect(info.server?.url.absoluteString.contains("/backup/") == true)
                    break
                }
                if let cause = event.cause {
                    #expect(cause.code != .tokenError)
                }
                seen.append(event.name)
            }
            #expect(seen.starts(with: ["reconnecting", "unregistered"]), "\(seen)")
            #expect(await server.emulator.registeredDevices.map(\.server) == ["backup"])
        }
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    @Test("nothing listens at the port: connectionRefused, naming the host and port")
    func connectionRefused() async throws {
        let server = try await start()
        let url = server.baseURL.appending(path: "v1/region")
        server.stop()
        let error = await #expect(throws: TransportError.self) { try await transport.send(HTTPRequest(method: .get, url: url)) }
        #expect(error?.code == .connectionRefused, "\(String(describing: error))")
        #expect(error?.message.contains("127.0.0.1:\(url.port ?? 0)") == true)
    }

    @Test("an answer slower than the timeout: timedOut, and the request is not left running")
    func timeout() async throws {
        let server = try await start()
        defer { server.stop() }
        await server.emulator.setDelay(.seconds(3), for: .region)
        let quick = AsyncHTTPClientTransport(client: Self.client, configuration: .init(timeout: .milliseconds(300)))
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            try await quick.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "v1/region")))
        }
        #expect(error?.code == .timedOut, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("an answer longer than the limit: responseTooLarge, naming the host and the limit (#20 case 5)")
    func tooLarge() async throws {
        let server = try await start()
        defer { server.stop() }
        await server.emulator.inject(EmulatorFault(status: 200, body: String(repeating: "x", count: InboundLimits.responseBodyBytes + 1)), into: .region)
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "v1/region")))
        }
        #expect(error?.code == .responseTooLarge, "\(String(describing: error))")
        #expect(error?.message.contains("longer than \(InboundLimits.responseBodyBytes) bytes") == true)
    }

    @Test("a server that stalls mid-body: timedOut at the deadline (AsyncHTTPClient's own deadline ends at the head)")
    func stalledBody() async throws {
        let server = try await StallingServer()
        let quick = AsyncHTTPClientTransport(client: Self.client, configuration: .init(timeout: .milliseconds(500)))
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            try await quick.send(HTTPRequest(method: .get, url: URL(string: "http://127.0.0.1:\(server.port)/")!))
        }
        #expect(error?.code == .timedOut, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(2))
        await server.stop()
    }

    @Test("cancelling the calling task while the body is stalled cancels the request at once")
    func cancelledMidBody() async throws {
        let server = try await StallingServer()
        let request = HTTPRequest(method: .get, url: URL(string: "http://127.0.0.1:\(server.port)/")!)
        let started = ContinuousClock.now
        let task = Task { try await transport.send(request) }
        var stalls = server.stalled.makeAsyncIterator()
        await stalls.next()
        task.cancel()
        let error = await #expect(throws: TransportError.self) { try await task.value }
        #expect(error?.code == .cancelled, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(2))
        await server.stop()
    }

    @Test("cancelling the calling task cancels the request at once")
    func cancellation() async throws {
        let server = try await start()
        defer { server.stop() }
        await server.emulator.setDelay(.seconds(3), for: .region)
        let request = HTTPRequest(method: .get, url: server.baseURL.appending(path: "v1/region"))
        let started = ContinuousClock.now
        let task = Task { try await transport.send(request) }
        await server.emulator.waitForRequests(to: .region, count: 1)
        task.cancel()
        let error = await #expect(throws: TransportError.self) { try await task.value }
        #expect(error?.code == .cancelled, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("https to a port that speaks plain HTTP: tlsFailed (AsyncHTTPClient retries the handshake until the deadline)")
    func tlsFailure() async throws {
        let server = try await start()
        defer { server.stop() }
        var components = URLComponents(url: server.baseURL.appending(path: "v1/region"), resolvingAgainstBaseURL: false)!
        components.scheme = "https"
        let quick = AsyncHTTPClientTransport(client: Self.client, configuration: .init(timeout: .seconds(1)))
        let error = await #expect(throws: TransportError.self) { try await quick.send(HTTPRequest(method: .get, url: components.url!)) }
        #expect(error?.code == .tlsFailed, "\(String(describing: error))")
    }

    @Test("a header with CR or LF is refused before anything is sent")
    func headerInjection() async throws {
        let server = try await start()
        defer { server.stop() }
        let request = HTTPRequest(method: .get, url: server.baseURL.appending(path: "v1/region"), headers: ["X-Test": "a\r\nInjected: yes"])
        let error = await #expect(throws: TransportError.self) { try await transport.send(request) }
        #expect(error?.code == .other)
        #expect(await server.emulator.requestCounts[.region] == nil)
    }
}
