import CallingCore
import CallingKamailio
import CallingSIP
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

/// SIP lines through the whole client against a real registrar (Kamailio on 127.0.0.1), judged
/// by the registrar's own binding table.
@Suite(
    "SIP lines against Kamailio", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
)
struct KamailioLineTests {
    static let fast = CallingClient.Configuration(
        retryPolicy: RetryPolicy(base: .zero, jitter: 0...0, primaryBudget: .seconds(30)), shutdownTimeLimit: .seconds(5)
    )

    func registrar(
        _ user: String, at registrar: KamailioRegistrar, transport: SIPTransport = .udp, password: String? = nil, expires: Int = 3600,
        logger: CallingLogger = .disabled
    ) -> SIPRegistrar {
        SIPRegistrar(
            configuration: .init(
                addressOfRecord: SIPAddress("sip:\(user)@127.0.0.1:\(registrar.port)")!, password: Secret(password ?? "\(user)-secret"),
                transport: transport, expires: expires, timers: SIPTimers(t1: .milliseconds(50), t2: .milliseconds(400))
            ),
            logger: logger
        )
    }

    /// The first event after `connecting` that is not `unregistered` with a retryable reason.
    func settled(_ events: inout LineEvents.AsyncIterator) async -> LineEvent? {
        while let event = await events.next() {
            switch event {
            case .connecting, .unregistered(.some): continue
            default: return event
            }
        }
        return nil
    }

    struct NotRegistered: Error, CustomStringConvertible {
        let description: String
    }

    /// Adds a line and registers it; returns it with its info, and its events from there on.
    func registeredLine(_ client: CallingClient) async throws -> (line: Line, info: LineInfo, events: LineEvents.AsyncIterator) {
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        let event = await settled(&events)
        guard case .registered(let info) = event else { throw NotRegistered(description: "the line did not register: \(String(describing: event))") }
        return (line, info, events)
    }

    /// Adds a line, registers it, and returns its final error.
    func finalError(_ client: CallingClient) async throws -> LineError {
        let line = try await client.addLine()
        var events = line.events.makeAsyncIterator()
        try await line.register()
        let event = await settled(&events)
        guard case .error(let error) = event else { throw NotRegistered(description: "no final error: \(String(describing: event))") }
        return error
    }

    @Test("a line registers, refreshes before the granted expiry, and deregisters", arguments: SIPTransport.allCases)
    func registerRefreshDeregister(transport: SIPTransport) async throws {
        let kamailio = try KamailioRegistrar(defines: ["MIN_EXPIRES=2", "MAX_EXPIRES=4"])
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar("alice", at: kamailio, transport: transport), configuration: Self.fast) { client in
            let (line, info, _) = try await registeredLine(client)
            #expect(info.details(as: SIPDetails.self)?.expires == .seconds(4))
            #expect(info.keepaliveInterval == .seconds(2))
            let contact = try #require(info.deviceID)
            #expect(contact.contains(";transport=\(transport)"))
            #expect(try kamailio.contacts(of: "alice") == [contact])
            let first = try kamailio.sequence(of: contact)
            // Two refreshes span more than the binding's 4 s lifetime: it lives on only if they came in time.
            #expect(try await eventually { try kamailio.sequence(of: contact) >= first + 2 }, "not refreshed twice")
            #expect(try kamailio.contacts(of: "alice") == [contact], "the binding outlived its 4 s lifetime")
            #expect(await line.status == .active)
        }
        #expect(try kamailio.contacts(of: "alice").isEmpty)
    }

    @Test(
        "answers each kind of challenge: 401 with qop, 407, 401 without qop, SHA-256",
        arguments: [("alice", [String]()), ("carol", []), ("dave", []), ("bob", [#"AUTH_ALGO="SHA-256""#])]
    )
    func challenges(user: String, defines: [String]) async throws {
        let kamailio = try KamailioRegistrar(defines: defines)
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar(user, at: kamailio), configuration: Self.fast) { client in
            let (_, info, _) = try await registeredLine(client)
            #expect(try kamailio.contacts(of: user) == [info.deviceID])
        }
        #expect(try kamailio.contacts(of: user).isEmpty)
    }

    @Test("a nonce that goes stale between refreshes is answered again without a miss")
    func staleNonce() async throws {
        let kamailio = try KamailioRegistrar(defines: ["MIN_EXPIRES=2", "MAX_EXPIRES=4", "NONCE_EXPIRE=3"])
        defer { kamailio.stop() }
        let events = try await withCallingClient(registrar: registrar("alice", at: kamailio), configuration: Self.fast) { client in
            let line = try await client.addLine()
            let events = line.events
            try await line.register()
            // A refresh meets the stale nonce; the one after it shows the line answered it.
            #expect(try await eventually { kamailio.log.contains("auth rc=-4") }, "no refresh met a stale nonce")
            let contact = try #require(try kamailio.contacts(of: "alice").first)
            let sequence = try kamailio.sequence(of: contact)
            #expect(try await eventually { try kamailio.sequence(of: contact) > sequence })
            #expect(try kamailio.contacts(of: "alice").count == 1)
            return events
        }
        var seen: [LineEvent] = []
        for await event in events {
            seen.append(event)
        }
        #expect(seen.count == 3 && seen.last == .unregistered(nil), "\(seen)")
    }

    @Test("423 Interval Too Brief: the line asks again with the registrar's Min-Expires")
    func intervalTooBrief() async throws {
        let kamailio = try KamailioRegistrar(defines: ["MIN_EXPIRES=10"])
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar("alice", at: kamailio, expires: 5), configuration: Self.fast) { client in
            let (_, info, _) = try await registeredLine(client)
            #expect(info.details(as: SIPDetails.self)?.expires == .seconds(10))
            #expect(info.keepaliveInterval == .seconds(5))
            #expect(try kamailio.binding(info.deviceID ?? "")["Expires"].flatMap { Int($0) }.map { (8...10).contains($0) } == true)
        }
    }

    @Test("503 with Retry-After: the line waits as asked, then registers with the same Call-ID")
    func serviceUnavailableThenSuccess() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar("erin", at: kamailio), configuration: Self.fast) { client in
            let line = try await client.addLine()
            var events = line.events.makeAsyncIterator()
            try await line.register()
            let start = ContinuousClock.now
            #expect(await events.next() == .connecting)
            guard case .unregistered(let error?) = await events.next() else {
                Issue.record("the 503 was not reported")
                return
            }
            #expect(error.code == .serviceUnavailable)
            #expect(error.metadata["sipStatus"] == 503)
            guard case .registered(let info) = await events.next() else {
                Issue.record("not registered after the 503")
                return
            }
            #expect(ContinuousClock.now - start >= .seconds(2))
            #expect(try kamailio.binding(info.deviceID ?? "")["Call-ID"] == error.metadata["callId"]?.description)
        }
    }

    @Test("a wrong password is a final error after one fresh challenge, and nothing is bound")
    func wrongPassword() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar("alice", at: kamailio, password: "not-alices"), configuration: Self.fast) { client in
            let error = try await finalError(client)
            #expect(error.code == .tokenError)
            #expect(error.detail.contains("check the SIP user and password"))
            #expect(!error.description.contains("not-alices"))
            #expect(kamailio.log.components(separatedBy: "REGISTER to=").count - 1 == 2, "one unanswered and one answered REGISTER")
        }
        #expect(try kamailio.contacts(of: "alice").isEmpty)
    }

    @Test("each REGISTER is logged with its Call-ID, CSeq and status (401, then 200); the password never is")
    func requestsLogged() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        let handler = RecordingLogHandler()
        try await withCallingClient(registrar: registrar("alice", at: kamailio, logger: handler.logger), configuration: Self.fast) { client in
            _ = try await registeredLine(client)
        }
        let answered = handler.records("SIP request answered").filter { $0.metadata["cseq"]?.hasSuffix("REGISTER") == true }
        #expect(answered.map { $0.metadata["status"] } == ["401", "200", "200"], "challenge, registration, deregistration")
        #expect(Set(answered.compactMap { $0.metadata["callId"] }).count == 1)
        #expect(answered.allSatisfy { $0.source == "CallingSIP" && $0.metadata["host"] == "127.0.0.1:\(kamailio.port)" })
        let sequences = answered.compactMap { $0.metadata["cseq"]?.split(separator: " ").first.flatMap { Int($0) } }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 3)
        #expect(!handler.records.map(\.description).joined().contains("alice-secret"))
    }

    @Test("authenticating as another user than the address of record is forbidden (403), finally")
    func otherUserForbidden() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        let registrar = SIPRegistrar(
            configuration: .init(
                addressOfRecord: SIPAddress("sip:alice@127.0.0.1:\(kamailio.port)")!, password: Secret("bob-secret"), authenticationUser: "bob",
                timers: SIPTimers(t1: .milliseconds(50))
            )
        )
        try await withCallingClient(registrar: registrar, configuration: Self.fast) { client in
            let error = try await finalError(client)
            #expect(error.code == .forbidden)
            #expect(error.metadata["sipStatus"] == 403)
        }
    }

    @Test("the registrar stops: refreshes miss, the line reconnects, and registers again when it is back", arguments: SIPTransport.allCases)
    func registrarRestart(transport: SIPTransport) async throws {
        let kamailio = try KamailioRegistrar(defines: ["MIN_EXPIRES=2", "MAX_EXPIRES=4"])
        defer { kamailio.stop() }
        try await withCallingClient(registrar: registrar("alice", at: kamailio, transport: transport), configuration: Self.fast) { client in
            var (_, _, events) = try await registeredLine(client)
            kamailio.stop()
            guard case .reconnecting(let miss) = await events.next() else {
                Issue.record("no miss reported")
                return
            }
            #expect(miss.detail.contains("could not reach 127.0.0.1:\(kamailio.port) over \(transport)"), "\(miss)")
            var sawUnregistered = false
            while let event = await events.next() {
                if case .unregistered(.some) = event {
                    sawUnregistered = true
                    break
                }
            }
            #expect(sawUnregistered)
            try kamailio.start()
            guard case .registered(let info) = await settled(&events) else {
                Issue.record("not registered after the restart")
                return
            }
            #expect(try kamailio.contacts(of: "alice") == [info.deviceID])
        }
        #expect(try kamailio.contacts(of: "alice").isEmpty)
    }

    @Test("200 lines on one client (answers past 8 KB listing every binding): all bound at the registrar, none after shutdown")
    func twoHundredLines() async throws {
        let kamailio = try KamailioRegistrar()
        defer { kamailio.stop() }
        // A shutdown waits only as long as the 200 challenged un-REGISTERs take, 64 at a time;
        // under ThreadSanitizer beside the other tests that passed 5 s once.
        var configuration = Self.fast
        configuration.shutdownTimeLimit = .seconds(60)
        try await withCallingClient(registrar: registrar("bob", at: kamailio), configuration: configuration) { client in
            let lines = try await withThrowingTaskGroup(of: Line.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let line = try await client.addLine()
                        var events = line.events.makeAsyncIterator()
                        try await line.register()
                        _ = await settled(&events)
                        return line
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var active = 0
            for line in lines where await line.status == .active {
                active += 1
            }
            #expect(active == 200)
            #expect(Set(try kamailio.contacts(of: "bob")).count == 200)
        }
        #expect(try kamailio.contacts(of: "bob").isEmpty)
    }
}
