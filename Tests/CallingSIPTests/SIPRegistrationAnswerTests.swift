import CallingCore
import Foundation
import Testing

@testable import CallingSIP

/// What a registrar's `200` to a `REGISTER` grants, held to `InboundLimits` (#20, cases 3 and 11).
@Suite("SIP registration answers")
struct SIPRegistrationAnswerTests {
    let contact = "sip:alice@127.0.0.1:5070;transport=udp;line=1"
    let server = RegistrarServer(url: URL(string: "sip:127.0.0.1:5060")!)
    let device = LineDevice(userID: "sip:alice@127.0.0.1", deviceURL: "urn:uuid:1")

    func accepted(contactExpires: String?, expires: String?) throws -> RegistrarResult<LineRegistration> {
        var answer = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
        answer += "Contact: <\(contact)>" + (contactExpires.map { ";expires=\($0)" } ?? "") + "\r\n"
        answer += expires.map { "Expires: \($0)\r\n" } ?? ""
        answer += "Content-Length: 0\r\n\r\n"
        let message = try #require(try SIPMessage.parse(Array(answer.utf8), framing: .datagram)).message
        return SIPRegistrar.registration(
            accepted: message, contact: contact, requested: 3600, at: server, for: device, of: SIPAddress("sip:alice@127.0.0.1")!
        )
    }

    @Test(
        "the lifetime granted is held to a day and refreshed at half of it (case 3: these trapped)",
        arguments: [
            ("99999999999999999", nil, 86_400), (nil, "9223372036854775807", 86_400), ("99999999999999999999999", nil, 86_400),
            ("120", "3600", 120), (nil, "90", 90), (nil, nil, 3600),
        ] as [(String?, String?, Int)]
    )
    func heldLifetime(contactExpires: String?, expires: String?, lifetime: Int) throws {
        guard case .succeeded(let registration) = try accepted(contactExpires: contactExpires, expires: expires).kind else {
            Issue.record("not a registration")
            return
        }
        #expect(registration.keepaliveInterval == .milliseconds(lifetime * 500))
        #expect(registration.details(as: SIPDetails.self)?.expires == .seconds(lifetime))
    }

    @Test("a 200 granting no lifetime removed the binding: retried, not taken for a registration (it was refreshed every 500 ms)", arguments: ["0", "-1"])
    func noLifetime(granted: String) throws {
        let result = try accepted(contactExpires: granted, expires: nil)
        guard case .retryable(let error, nil) = result.kind else {
            Issue.record("expected a retryable failure, got \(result.kind)")
            return
        }
        #expect(error.detail.contains("lifetime of \(granted) s, which removes it"))
    }
}
