import CallingCommandLine
import CallingMobius
import Foundation

/// The options that point `register` at Webex services other than the defaults (another Webex
/// environment, a Webex-compatible server); each overrides both the default and `--emulator`.
enum MobiusOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("device-manager-url", value: "URL", environment: "WEBEX_DEVICE_MANAGER_URL", "the device manager's devices URL"),
        OptionSpec("region-url", value: "URL", environment: "WEBEX_REGION_URL", "the region lookup URL"),
        OptionSpec(
            "discovery-url", value: "URL", environment: "WEBEX_DISCOVERY_URLS",
            "a Mobius discovery host, tried in order (repeatable; the variable takes a comma-separated list)"
        ),
        OptionSpec("region", value: "REGION,COUNTRY", environment: "WEBEX_REGION", "skip the region lookup (for example US-EAST,US)"),
    ]

    /// Webex's services, or the emulator's, with the overrides applied.
    static func configuration(_ arguments: Arguments) throws -> MobiusRegistrar.Configuration {
        var configuration = try arguments.url("emulator").map { MobiusRegistrar.Configuration.emulator(baseURL: $0) } ?? .defaults
        if let url = try arguments.url("device-manager-url") {
            configuration.deviceManagerURL = url
        }
        if let url = try arguments.url("region-url") {
            configuration.regionURL = url
        }
        let discovery = try arguments.urls("discovery-url")
        if !discovery.isEmpty {
            configuration.discoveryHosts = discovery
        }
        if let text = arguments.value("region") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw UsageError(message: "--region must be REGION,COUNTRY (for example US-EAST,US), not '\(text.prefix(40))'")
            }
            configuration.region = .init(regionCode: parts[0], countryCode: parts[1])
        }
        return configuration
    }
}
