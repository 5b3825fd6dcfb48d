import CallingCore
import CallingKamailio
import CallingSIP
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// `SIPRegistrar` against Kamailio passes the registrar conformance suite, over UDP and TCP.
@Suite(
    "SIP registrar conformance", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: KamailioRegistrar.available, "Kamailio is not installed (apt-get install kamailio); .ci/run installs it")
)
struct SIPConformanceTests {
    /// Kamailio's controls (`kamcmd`, run off the cooperative threads), as the suite steers a server.
    struct KamailioControls: ConformanceServer {
        let kamailio: KamailioRegistrar
        let user: String

        func holds(_ device: RegisteredDevice) async throws -> Bool {
            try await offPool { [kamailio, user] in try kamailio.contacts(of: user).contains(device.deviceID) }
        }

        func forgetRegistrations() async throws {
            try await offPool { [kamailio, user] in try kamailio.forget(user) }
        }

        func setSlowingDown(retryAfter: Duration?) async throws {
            try await offPool { [kamailio] in
                if let retryAfter {
                    try kamailio.set("retry_after", to: Int(retryAfter.components.seconds))
                }
                try kamailio.set("maint", to: retryAfter == nil ? 0 : 1)
            }
        }

        func setDown(_ down: Bool, _ server: RegistrarServer) async throws {
            try await offPool { [kamailio] in down ? kamailio.stop() : try kamailio.start() }
        }

        func setSilent(_ silent: Bool) async throws {
            try await offPool { [kamailio] in try kamailio.set("silent", to: silent ? 1 : 0) }
        }
    }

    @Test("SIPRegistrar passes every check", arguments: [SIPTransport.udp, .tcp])
    func conforms(transport: SIPTransport) async throws {
        let kamailio = try await offPool { try KamailioRegistrar() }
        defer { kamailio.stop() }
        let registrar = SIPRegistrar(
            configuration: .init(
                addressOfRecord: SIPAddress("sip:alice@127.0.0.1:\(kamailio.port)")!, password: Secret("alice-secret"),
                transport: transport, timers: SIPTimers(t1: .milliseconds(50), t2: .milliseconds(400))
            )
        )
        let passed = try await RegistrarConformance(registrar: registrar, server: KamailioControls(kamailio: kamailio, user: "alice")).run()
        #expect(passed == RegistrarConformance.checks)
    }
}
