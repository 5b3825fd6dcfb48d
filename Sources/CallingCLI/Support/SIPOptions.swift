import CallingCommandLine
import CallingSIP
import CallingTransport
import Foundation

/// The options that register SIP lines instead of Webex Calling lines.
enum SIPOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("sip", value: "URI", environment: "CALLING_SIP_URI", "register with a SIP registrar as this user (sip:alice@host:port)"),
        OptionSpec("sip-password-file", value: "FILE", environment: "CALLING_SIP_PASSWORD_FILE", "a file holding the SIP user's password"),
        OptionSpec("sip-transport", value: "udp|tcp", environment: "CALLING_SIP_TRANSPORT", "how to reach the SIP registrar (default: udp)"),
    ]

    /// The SIP registrar's settings when `--sip` is given; `nil` otherwise.
    static func configuration(_ arguments: Arguments) throws -> SIPRegistrar.Configuration? {
        guard let text = arguments.value("sip") else {
            for option in ["sip-password-file", "sip-transport"] where arguments.value(option) != nil {
                throw UsageError(message: "--\(option) needs --sip URI")
            }
            return nil
        }
        guard arguments.value("emulator") == nil else {
            throw UsageError(message: "--sip and --emulator choose different registrars; give one")
        }
        guard let address = SIPAddress(text), !address.user.isEmpty else {
            throw UsageError(message: "--sip must be a SIP user's address like sip:alice@pbx.example.com:5060, not '\(text.prefix(80))'")
        }
        let transportName = arguments.value("sip-transport") ?? "udp"
        guard let transport = SIPTransport(rawValue: transportName) else {
            throw UsageError(message: "--sip-transport must be udp or tcp, not '\(transportName.prefix(20))'")
        }
        guard let (file, contents) = try arguments.secretFile("sip-password-file", holding: "SIP password") else {
            throw UsageError(message: "--sip needs --sip-password-file FILE (a file holding the SIP password; never a flag, so it stays out of the process list)")
        }
        let password = contents.trimmingCharacters(in: .newlines)
        guard !password.isEmpty else {
            throw CommandFailure(message: "the SIP password file \(file) is empty: write the password into it")
        }
        return SIPRegistrar.Configuration(addressOfRecord: address, password: Secret(password), transport: transport)
    }
}
