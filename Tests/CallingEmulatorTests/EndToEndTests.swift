import CallingAuth
import CallingCore
import CallingMobius
import CallingEmulator
import CallingLoopback
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// The whole client against the emulator over real loopback HTTP: URLSession, sockets, no mocks.
@Suite("End to end over loopback HTTP", .timeLimit(.minutes(2)))
struct EndToEndTests {
    let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))

    func start(_ configure: (inout WebexEmulator.Configuration) -> Void = { _ in }) async throws -> EmulatorServer {
        var configuration = WebexEmulator.Configuration.defaults
        configure(&configuration)
        return try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
    }

    func registrar(_ server: EmulatorServer, now: @escaping @Sendable () -> Date = { Date() }) async throws -> MobiusRegistrar {
        let store = try await EmulatorLogin.tokenStore(
            transport: transport, baseURL: server.baseURL, configuration: server.emulator.configuration, now: now
        )
        return MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store)
    }

    @Test("login with PKCE through the authorize redirect, register, and keepalives at the assigned 1 s interval")
    func keepalivesOnTheWire() async throws {
        let server = try await start { $0.keepaliveInterval = 1 }
        defer { server.stop() }
        let registrar = try await registrar(server)
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
            await server.emulator.waitForRequests(to: .keepalive, count: 3)
            #expect(await server.emulator.registeredDevices.count == 1)
            #expect(await line.status == .active)
        }
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    @Test("the access token expires during keepalives: the store refreshes it and the line stays registered")
    func tokenExpiresDuringKeepalives() async throws {
        let server = try await start {
            $0.keepaliveInterval = 1
            $0.accessTokenLifetime = .seconds(2)
        }
        defer { server.stop() }
        let registrar = try await registrar(server)
        let names = try await withCallingClient(registrar: registrar) { client in
            let line = try await client.addLine()
            let events = line.events
            try await line.register()
            // Tokens live 2 s: by the fifth keepalive the store has refreshed at least twice.
            await server.emulator.waitForRequests(to: .keepalive, count: 5)
            #expect(await line.info.status == .active)
            return events
        }
        var iterator = names.makeAsyncIterator()
        var seen: [LineEvent] = []
        while let event = await iterator.next() {
            seen.append(event)
        }
        #expect(seen.count == 3)
        #expect(seen.first == .connecting)
        #expect(seen.last == .unregistered(nil))
        #expect(await server.emulator.requestCounts[.token]! >= 3)
    }

    @Test("the token endpoint answers 503 for a while: keepalives miss, nothing stops, the line stays registered")
    func tokenEndpointOutage() async throws {
        let server = try await start {
            $0.keepaliveInterval = 1
            $0.accessTokenLifetime = .seconds(2)
            $0.expiryIntervals = 10
        }
        defer { server.stop() }
        let registrar = try await registrar(server)
        let names = try await withCallingClient(registrar: registrar) { client in
            let line = try await client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            // The refresh is due after 1 s and the token expires after 2 s: the first 503 leaves the
            // still-valid token in use, the second costs a keepalive (the emulator keeps a silent
            // registration for 10 intervals here, so a slow machine cannot turn misses into a 404).
            await server.emulator.inject(EmulatorFault(status: 503), count: 2, into: .token)
            var names: [String] = []
            while let event = await events.next() {
                if case .error(let error) = event {
                    Issue.record("a final error: \(error)")
                }
                names.append(event.name)
                if event == .reconnected {
                    break
                }
            }
            #expect(await line.info.status == .active)
            #expect(await !line.isStopped)
            return names
        }
        let misses = names.filter { $0 == "reconnecting" }.count
        #expect((1...2).contains(misses))
        #expect(names == ["connecting", "registered"] + Array(repeating: "reconnecting", count: misses) + ["reconnected"])
        #expect(await server.emulator.requestCounts[.token]! >= 4)
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    @Test("primary goes down: the line fails over to the backup, and rehomes to the primary when it is back")
    func failoverAndRehoming() async throws {
        let server = try await start()
        defer { server.stop() }
        let clock = ManualClock()
        let client = CallingClient(
            registrar: try await registrar(server), clock: clock, random: RandomSource { draw, range in draw == .retryJitter ? 10 : range.lowerBound }
        )
        let runner = Task { try? await client.run() }
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        #expect(await events.serverNames(2) == ["connecting", "registered(primary)"])

        await Self.failOverAndRehome(server, client: client, clock: clock, events: &events)

        client.beginGracefulShutdown()
        await runner.value
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    /// Takes the primary down (five keepalive misses, two rounds of attempts) until the line is on
    /// the backup, then brings it back and lets the rehoming window pass, checking the events and
    /// the emulator's devices at each step. The line is registered on the primary at first.
    static func failOverAndRehome(
        _ server: EmulatorServer, client: CallingClient, clock: ManualClock, events: inout LineEvents.AsyncIterator
    ) async {
        await server.emulator.setOutage(.connectionRefused, server: "primary")
        for _ in 0..<4 {
            await clock.waitForSleepers()
            clock.advance(by: .seconds(30))
            #expect(await events.serverNames(1) == ["reconnecting"])
        }
        await clock.waitForSleepers()
        clock.advance(by: .seconds(30))
        #expect(await events.serverNames(2) == ["unregistered", "unregistered"])
        for _ in 0..<2 {
            await clock.waitForSleepers()
            clock.advance(to: clock.sleeperDeadlines[0])
            #expect(await events.serverNames(1) == ["unregistered"])
        }
        #expect(await events.serverNames(1) == ["registered(backup)"])
        #expect(await server.emulator.registeredDevices.map(\.server) == ["backup"])

        await server.emulator.setOutage(nil, server: "primary")
        await client.waitForDeadlines()
        clock.advance(to: .init(offset: client.scheduledDeadlines[0]))
        #expect(await events.serverNames(2) == ["unregistered", "registered(primary)"])
        #expect(await server.emulator.registeredDevices.map(\.server) == ["primary"])
    }

    @Test("device limit: the old device is deleted and the new one registered")
    func deviceLimit() async throws {
        let server = try await start { $0.deviceLimit = 1 }
        defer { server.stop() }
        try await withCallingClient(registrar: try await registrar(server)) { client in
            let first = try await client.addLine()
            var firstEvents = first.events.makeAsyncIterator()
            try await first.register()
            #expect(await firstEvents.serverNames(2) == ["connecting", "registered(primary)"])
            let old = await server.emulator.registeredDevices.map(\.deviceID)

            let second = try await client.addLine()
            var secondEvents = second.events.makeAsyncIterator()
            try await second.register()
            #expect(await secondEvents.serverNames(3) == ["connecting", "unregistered", "registered(primary)"])
            let now = await server.emulator.registeredDevices
            #expect(now.count == 1)
            #expect(now.map(\.deviceID) != old)
            #expect(now.first?.clientDeviceURL == second.device.deviceURL)
            await first.deregister()
        }
    }

    @Test("20 lines on one client register and deregister, and the device table ends empty")
    func twentyLines() async throws {
        let server = try await start()
        defer { server.stop() }
        try await withCallingClient(registrar: try await registrar(server)) { client in
            var subscriptions: [LineEvents] = []
            for _ in 0..<20 {
                let line = try await client.addLine()
                subscriptions.append(line.events)
                try await line.register()
            }
            for events in subscriptions {
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.serverNames(2) == ["connecting", "registered(primary)"])
            }
            #expect(await server.emulator.registeredDevices.count == 20)
            for line in client.lines.values.prefix(10) {
                await line.deregister()
            }
        }
        #expect(await server.emulator.registeredDevices.isEmpty)
        #expect(await server.emulator.requestCounts[.deregister] == 20)
    }

    @Test("bad input gets a 4xx or a closed connection, and the emulator keeps serving")
    func badInput() async throws {
        let server = try await EmulatorServer.start(configuration: .init(requestTimeout: .milliseconds(500)))
        defer { server.stop() }
        let port = UInt16(server.baseURL.port!)
        let inputs: [(String, [UInt8])] = [
            ("400", Array("\u{01}\u{02}garbage\r\n\r\n".utf8)),
            ("413", Array("POST /v1/access_token HTTP/1.1\r\nContent-Length: 10485760\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 65536)),
            ("400", Array("GET /v1/region HTTP/1.1\r\nno colon here\r\n\r\n".utf8)),
            ("408", Array("POST /v1/access_token HTTP/1.1\r\nContent-Length: 50\r\n\r\npartial".utf8)),
        ]
        for (status, bytes) in inputs {
            let connection = try await RawConnection.open(port: port)
            await connection.send(bytes)
            #expect(await connection.readToEnd().hasPrefix("HTTP/1.1 \(status) "), "expected \(status)")
            let region = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "v1/region")))
            #expect(region.status == 200)
        }
    }
}

extension LineEvents.AsyncIterator {
    /// The next `count` events, with registrations named by the emulator server's name.
    mutating func serverNames(_ count: Int) async -> [String] {
        var names: [String] = []
        for _ in 0..<count {
            switch await next() {
            case .registered(let info)?:
                let parts = info.server?.url.pathComponents ?? []
                names.append("registered(\(parts.firstIndex(of: "mobius").map { parts[$0 + 1] } ?? "?"))")
            case let event?: names.append("\(event)".components(separatedBy: "(").first ?? "")
            case nil: names.append("<finished>")
            }
        }
        return names
    }
}
