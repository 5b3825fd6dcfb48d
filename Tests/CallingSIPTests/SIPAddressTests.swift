import CallingSIP
import CallingTransport
import Testing

@Suite("SIP addresses and configuration")
struct SIPAddressTests {
    @Test(
        "parses sip:user@host:port; the port only when given",
        arguments: [
            ("sip:alice@127.0.0.1:15060", "alice", "127.0.0.1", UInt16?.some(15060)),
            ("sip:bob@pbx.example.com", "bob", "pbx.example.com", nil),
            ("sip:example.test:5070", "", "example.test", 5070),
            ("sip:+14155550100@gw.example.com", "+14155550100", "gw.example.com", nil),
        ]
    )
    func parses(text: String, user: String, host: String, port: UInt16?) throws {
        let address = try #require(SIPAddress(text))
        #expect(address == SIPAddress(user: user, host: host, port: port))
        #expect(address.description == text)
    }

    @Test(
        "refuses what a line cannot register as",
        arguments: [
            "alice@example.com", "sips:alice@example.com", "sip:", "sip:alice@", "sip:alice@host:0", "sip:alice@host:70000",
            "sip:alice@host:port", "sip:alice@host;transport=tcp", "sip:al ice@host", "sip:alice@ho\u{0D}st", "sip:@host",
        ]
    )
    func refuses(text: String) {
        #expect(SIPAddress(text) == nil)
    }

    @Test("the configuration never shows the password: description, debug description and dump")
    func passwordRedacted() {
        let configuration = SIPRegistrar.Configuration(addressOfRecord: SIPAddress("sip:alice@127.0.0.1")!, password: Secret("alice-secret"))
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains("alice-secret"))
            #expect(text.contains("alice"))
        }
    }
}
