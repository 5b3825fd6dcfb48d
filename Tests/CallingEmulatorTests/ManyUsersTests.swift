import CallingAuth
import CallingCore
import CallingEmulator
import CallingMobius
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

/// Lines of many users in one client, over loopback HTTP: each line sends its own user's token,
/// the emulator refuses one user's token for another's device, and one user's lost login stops
/// that user's lines only.
@Suite("Many users in one client", .timeLimit(.minutes(2)))
struct ManyUsersTests {
    let transport = URLSessionTransport(configuration: .init(timeout: .seconds(30)))

    func start() async throws -> EmulatorServer {
        var configuration = WebexEmulator.Configuration.defaults
        configuration.keepaliveInterval = 1
        return try await EmulatorServer.start(emulator: WebexEmulator(configuration: configuration))
    }

    /// A registrar with a token store of its own for each new emulator user.
    func registrars(_ count: Int, on server: EmulatorServer) async throws -> [(userID: String, registrar: MobiusRegistrar)] {
        var made: [(String, MobiusRegistrar)] = []
        for user in await server.emulator.addUsers(count) {
            let store = TokenStore(
                client: EmulatorLogin.client(transport: transport, baseURL: server.baseURL, configuration: server.emulator.configuration),
                persistence: MemoryTokenPersistence()
            )
            try await store.login(with: user.tokens)
            made.append((user.userID, MobiusRegistrar(configuration: server.mobiusConfiguration, transport: transport, tokenProvider: store)))
        }
        return made
    }

    @Test("two users' lines in one client each keep their own registration alive with their own token")
    func twoUsersInOneClient() async throws {
        let server = try await start()
        defer { server.stop() }
        let users = try await registrars(2, on: server)
        try await withCallingClient(CallingClient()) { client in
            var lines: [Line] = []
            for (_, registrar) in users {
                let line = try await client.addLine(using: registrar)
                var events = line.events.makeAsyncIterator()
                try await line.register()
                #expect(await events.names(2) == ["connecting", "registered(127.0.0.1)"])
                lines.append(line)
            }
            // A keepalive with the other user's token would be refused (403) and stop the line.
            await server.emulator.waitForRequests(to: .keepalive, count: 6)
            for line in lines {
                #expect(await line.status == .active)
            }
            let owners = await server.emulator.registeredDevices.map(\.userID)
            #expect(owners.sorted() == users.map(\.userID).sorted())
            #expect(lines.map(\.device.userID).sorted() == users.map(\.userID).sorted())
        }
        #expect(await server.emulator.registeredDevices.isEmpty)
    }

    @Test("a line sent with another user's token is refused: the emulator answers 403, as Mobius does, and nothing registers")
    func anotherUsersDevice() async throws {
        let server = try await start()
        defer { server.stop() }
        let users = try await registrars(2, on: server)
        try await withCallingClient(CallingClient()) { client in
            let owned = try await client.addLine(using: users[1].registrar)
            let borrowed = try await client.addLine(using: users[0].registrar, LineOptions(device: owned.device))
            var events = borrowed.events.makeAsyncIterator()
            try await borrowed.register()
            #expect(await events.next() == .connecting)
            let refused = await events.next()
            #expect(refused?.name == "unregistered")
            #expect(refused?.cause?.code == .forbidden)
            #expect(refused?.cause?.metadata["httpStatus"]?.number == 403)
            #expect(await borrowed.status == .inactive)
            #expect(await server.emulator.registeredDevices.isEmpty)
        }
    }

    @Test("one user's refused refresh stops that user's lines only")
    func oneUsersLoginRevoked() async throws {
        let server = try await start()
        defer { server.stop() }
        let users = try await registrars(2, on: server)
        try await withCallingClient(CallingClient()) { client in
            var revoked: [(Line, LineEvents.AsyncIterator)] = []
            for _ in 0..<2 {
                let line = try await client.addLine(using: users[0].registrar)
                var events = line.events.makeAsyncIterator()
                try await line.register()
                #expect(await events.names(2) == ["connecting", "registered(127.0.0.1)"])
                revoked.append((line, events))
            }
            let kept = try await client.addLine(using: users[1].registrar)
            try await kept.register()
            await server.emulator.waitForRequests(to: .register, count: 3)
            await server.emulator.revokeTokens(of: users[0].userID)
            for (line, var events) in revoked {
                let seen = await events.names(1)
                #expect(seen == ["error(token_error)"])
                #expect(await line.isStopped)
            }
            let before = await server.emulator.requestCounts[.keepalive] ?? 0
            await server.emulator.waitForRequests(to: .keepalive, count: before + 3)
            #expect(await kept.status == .active)
            #expect(await server.emulator.registeredDevices.map(\.userID).contains(users[1].userID))
        }
    }

    @Test("the admin API makes users with tokens of their own; revoking one user's leaves the others'")
    func adminUsers() async throws {
        let server = try await start()
        defer { server.stop() }
        func post(_ path: String, _ json: String) async throws -> HTTPResponse {
            var request = HTTPRequest(method: .post, url: server.baseURL.appending(path: "_emulator/\(path)"), body: Data(json.utf8))
            request.headers["Content-Type"] = "application/json"
            return try await transport.send(request)
        }
        let answer = try await post("users", #"{"count":3}"#)
        #expect(answer.status == 200)
        let users = try #require((try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["users"] as? [[String: Any]])
        #expect(users.compactMap { $0["userId"] as? String } == ["emulator-user-1", "emulator-user-2", "emulator-user-3"])
        let tokens = users.compactMap { $0["access_token"] as? String }
        #expect(Set(tokens).count == 3)
        #expect(users.allSatisfy { ($0["refresh_token"] as? String)?.isEmpty == false && ($0["expires_in"] as? Int ?? 0) > 0 })

        #expect(try await post("revoke", #"{"userId":"emulator-user-2"}"#).status == 200)
        for (index, token) in tokens.enumerated() {
            var devices = HTTPRequest(method: .post, url: server.baseURL.appending(path: "wdm/api/v1/devices"), body: Data("{}".utf8))
            devices.headers["Authorization"] = "Bearer \(token)"
            devices.headers["Content-Type"] = "application/json"
            let status = try await transport.send(devices).status
            #expect(status == (index == 1 ? 401 : 200), "user \(index + 1)")
        }
    }
}
