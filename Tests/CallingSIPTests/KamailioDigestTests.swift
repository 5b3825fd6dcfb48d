@testable import CallingSIP
import CallingKamailio
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

/// The digest answers and message parser against a real registrar: Kamailio on 127.0.0.1
/// (`Sources/CallingKamailio/Registrar`), judged by its own binding table, not by our reading of its answers.
@Suite(
    "SIP digest against Kamailio", .serialized, .timeLimit(.minutes(1)),
    .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
)
struct KamailioDigestTests {
    /// REGISTER for `user` at the registrar, with `expires` and, when given, an `Authorization` value.
    func register(_ user: String, registrar: KamailioRegistrar, client: UDPClient, callID: String, sequence: Int, expires: Int, authorization: String?) -> SIPMessage {
        var headers: [SIPMessage.Header] = [
            .init(name: "Via", value: "SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bK\(UUID().uuidString.prefix(12));rport"),
            .init(name: "Max-Forwards", value: "70"),
            .init(name: "From", value: "<sip:\(user)@127.0.0.1>;tag=\(callID.prefix(8))"),
            .init(name: "To", value: "<sip:\(user)@127.0.0.1>"),
            .init(name: "Call-ID", value: callID),
            .init(name: "CSeq", value: "\(sequence) REGISTER"),
            .init(name: "Contact", value: "<sip:\(user)@127.0.0.1:\(client.port)>;expires=\(expires)"),
            .init(name: "Expires", value: "\(expires)"),
            .init(name: "User-Agent", value: "swift-calling-tests"),
        ]
        if let authorization {
            headers.append(.init(name: "Authorization", value: authorization))
        }
        return SIPMessage(startLine: .request(method: "REGISTER", uri: "sip:127.0.0.1:\(registrar.port)"), headers: headers, body: [])
    }

    /// Sends a REGISTER, answers the 401 with `password`, and returns the final answer.
    func authenticatedRegister(_ user: String, password: String, expires: Int, registrar: KamailioRegistrar, client: UDPClient) throws -> SIPMessage {
        let callID = "\(UUID().uuidString)@127.0.0.1"
        try client.send(register(user, registrar: registrar, client: client, callID: callID, sequence: 1, expires: expires, authorization: nil).serialized(), to: registrar.port)
        let challenged = try #require(try SIPMessage.parse(try client.receive(), framing: .datagram)).message
        #expect(challenged.status == 401)
        let header = try #require(challenged["WWW-Authenticate"])
        let challenge = try #require(DigestChallenge(header: header))
        let answer = DigestCredentials(username: user, password: Secret(password))
            .answer(challenge, method: "REGISTER", uri: "sip:127.0.0.1:\(registrar.port)", nonceCount: 1, cnonce: "c\(UUID().uuidString.prefix(8))")
        try client.send(register(user, registrar: registrar, client: client, callID: callID, sequence: 2, expires: expires, authorization: answer).serialized(), to: registrar.port)
        return try #require(try SIPMessage.parse(try client.receive(), framing: .datagram)).message
    }

    @Test(
        "REGISTER with a digest answer binds the contact at the registrar; Expires 0 removes it",
        arguments: [
            ("alice", "alice-secret", [String]()),
            ("dave", "dave-secret", []),
            ("bob", "bob-secret", [#"AUTH_ALGO="SHA-256""#]),
        ]
    )
    func registerAndRemove(user: String, password: String, defines: [String]) throws {
        let registrar = try KamailioRegistrar(defines: defines)
        defer { registrar.stop() }
        let client = try UDPClient()
        let accepted = try authenticatedRegister(user, password: password, expires: 120, registrar: registrar, client: client)
        #expect(accepted.status == 200)
        #expect(accepted.values("Contact").contains { $0.contains("\(user)@127.0.0.1:\(client.port)") })
        let bound = try registrar.bindings()
        #expect(bound.contains("AoR: \(user)"), "\(bound)")
        #expect(bound.contains("127.0.0.1:\(client.port)"))

        let removed = try authenticatedRegister(user, password: password, expires: 0, registrar: registrar, client: client)
        #expect(removed.status == 200)
        #expect(!(try registrar.bindings()).contains("AoR: \(user)"))
    }

    @Test("a wrong password gets a fresh challenge, and nothing is bound")
    func wrongPassword() throws {
        let registrar = try KamailioRegistrar()
        defer { registrar.stop() }
        let client = try UDPClient()
        let refused = try authenticatedRegister("alice", password: "not-it", expires: 120, registrar: registrar, client: client)
        #expect(refused.status == 401)
        #expect(refused["WWW-Authenticate"].flatMap(DigestChallenge.init(header:)) != nil)
        #expect(!(try registrar.bindings()).contains("AoR: alice"))
    }
}
