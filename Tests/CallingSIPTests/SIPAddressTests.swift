import CallingCore
import CallingSIP
import CallingTransport
import Foundation
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

@Suite("SIP registrar configuration")
struct SIPConfigurationTests {
    @Test(
        "a configuration that cannot register is refused before anything is sent",
        arguments: [("sip:127.0.0.1:1", 3600, 2, "names no user"), ("sip:alice@127.0.0.1:1", 0, 2, "must be 1–86400 s"), ("sip:alice@127.0.0.1:1", 86_401, 2, "must be 1–86400 s"), ("sip:alice@127.0.0.1:1", 60, 0, "at least 1")]
    )
    func invalid(address: String, expires: Int, misses: Int, message: String) async {
        let registrar = SIPRegistrar(
            configuration: .init(addressOfRecord: SIPAddress(address)!, password: Secret("x"), expires: expires, keepaliveMissLimit: misses)
        )
        await #expect {
            try await registrar.discoverServers()
        } throws: { error in
            guard let error = error as? CallingError else { return false }
            return error.code == .invalidConfiguration && error.message.contains(message)
        }
    }

    @Test("the servers are the configured registrars, else the address of record's host and port")
    func servers() async throws {
        let plain = SIPRegistrar(configuration: .init(addressOfRecord: SIPAddress("sip:alice@pbx.example.com:5070")!, password: Secret("x")))
        #expect(try await plain.discoverServers() == RegistrarServers(primaries: [RegistrarServer(url: URL(string: "sip:pbx.example.com:5070")!)], backups: []))
        let configured = SIPRegistrar(
            configuration: .init(
                addressOfRecord: SIPAddress("sip:alice@example.com")!, password: Secret("x"), registrars: [SIPAddress("sip:a.example.com")!],
                backupRegistrars: [SIPAddress("sip:b.example.com:5080")!]
            )
        )
        #expect(
            try await configured.discoverServers()
                == RegistrarServers(primaries: [RegistrarServer(url: URL(string: "sip:a.example.com")!)], backups: [RegistrarServer(url: URL(string: "sip:b.example.com:5080")!)])
        )
    }
}
