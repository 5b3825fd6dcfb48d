import CallingCore
import CallingSIP
import CallingTransport

/// The README's SIP example, compiled and run by `SIPQuickStartTests`; the README shows the
/// body between the markers (less one level of indentation).
func sipQuickStart(addressOfRecord: String, passwordFromYourVault: String) async throws -> Duration? {
    // README: SIP lines
    let registrar = SIPRegistrar(configuration: .init(
        addressOfRecord: SIPAddress(addressOfRecord)!,
        password: Secret(passwordFromYourVault),
        transport: .tcp))
    let granted = try await withCallingClient(registrar: registrar) { client -> Duration? in
        let line = try await client.addLine()
        let events = line.events
        try await line.register()
        for await event in events {
            if case .registered(let info) = event {
                return info.details(as: SIPDetails.self)?.expires   // the lifetime the registrar granted
            }
        }
        return nil
    }
    // README: end
    return granted
}
