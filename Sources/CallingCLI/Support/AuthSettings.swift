import CallingAuth
import CallingCommandLine
import CallingTransport
import Foundation

/// The options `login`, `token` and `register` share: one flag and one environment variable each.
enum AuthOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("client-id", value: "ID", environment: "WEBEX_CLIENT_ID", "the integration's client id"),
        OptionSpec("client-secret-file", value: "FILE", "a file holding the client secret (or set WEBEX_CLIENT_SECRET)"),
        OptionSpec("authorize-url", value: "URL", environment: "WEBEX_AUTHORIZE_URL", "the authorize endpoint (default: Webex's)"),
        OptionSpec("token-url", value: "URL", environment: "WEBEX_TOKEN_URL", "the token endpoint (default: Webex's)"),
        OptionSpec("device-authorize-url", value: "URL", environment: "WEBEX_DEVICE_AUTHORIZE_URL", "where login --device starts (default: Webex's)"),
        OptionSpec("device-token-url", value: "URL", environment: "WEBEX_DEVICE_TOKEN_URL", "where login --device polls (default: Webex's)"),
        OptionSpec("token-file", value: "FILE", environment: "WEBEX_TOKEN_FILE", "where tokens are kept (default: \(defaultTokenFile()))"),
        OptionSpec(
            "scopes", value: "LIST", environment: "WEBEX_SCOPES",
            "space-separated scopes or presets (calling, messaging, meetings, devices, telephony-admin; default: calling)"
        ),
        OptionSpec("emulator", value: "URL", environment: "WEBEX_EMULATOR", "use the emulator at URL for every Webex service"),
    ]

    /// `$XDG_CONFIG_HOME/swift-calling/tokens.json`, or under `~/.config`.
    static func defaultTokenFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/swift-calling/tokens.json"
    }
}

/// The OAuth client settings and token file a command uses, from flags and environment.
struct AuthSettings {
    let configuration: OAuthConfiguration
    let tokenFile: String

    init(_ arguments: Arguments, environment: [String: String], redirectURI: URL) throws {
        let emulator = try arguments.url("emulator")
        let emulatorDefaults = emulator != nil
        guard let clientID = arguments.value("client-id") ?? (emulatorDefaults ? "swift-calling-emulator" : nil) else {
            throw UsageError(message: "missing --client-id (or WEBEX_CLIENT_ID): use your integration's client id from developer.webex.com")
        }
        let secret: String
        if let (file, text) = try arguments.secretFile("client-secret-file", holding: "client secret") {
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else {
                throw UsageError(message: "the client secret file \(file) is empty: write the integration's client secret into it")
            }
        } else if let value = environment["WEBEX_CLIENT_SECRET"], !value.isEmpty {
            secret = value
        } else if emulatorDefaults {
            secret = "emulator-secret"
        } else {
            throw UsageError(message: "missing the client secret: pass --client-secret-file FILE or set WEBEX_CLIENT_SECRET")
        }
        var endpoints = emulator.map { OAuthConfiguration.Endpoints.emulator(baseURL: $0) } ?? .webex
        if let url = try arguments.url("authorize-url") {
            endpoints.authorizeURL = url
        }
        if let url = try arguments.url("token-url") {
            endpoints.tokenURL = url
        }
        if let url = try arguments.url("device-authorize-url") {
            endpoints.deviceAuthorizeURL = url
        }
        if let url = try arguments.url("device-token-url") {
            endpoints.deviceTokenURL = url
        }
        let scopes = arguments.value("scopes").map(Scope.parse) ?? Scope.calling
        for scope in scopes where !scope.isDocumented {
            Output.error("warning: \(scope) is not a scope the Webex documentation lists (nor a preset: \(Scope.presets.keys.sorted().joined(separator: ", "))); asking for it anyway")
        }
        configuration = OAuthConfiguration(
            clientID: clientID, clientSecret: Secret(secret), redirectURI: redirectURI, scopes: scopes.map(\.rawValue), endpoints: endpoints
        )
        tokenFile = arguments.value("token-file") ?? AuthOptions.defaultTokenFile(environment: environment)
    }

    /// A token store over the token file.
    func tokenStore(transport: any Transport, logger: CallingLogger = .disabled) -> TokenStore {
        TokenStore(client: OAuthClient(configuration: configuration, transport: transport), persistence: Self.tokenFile(tokenFile), logger: logger)
    }

    /// The token file at `path`, after warning on standard error about its permissions, owner
    /// or a symlink.
    static func tokenFile(_ path: String) -> FileTokenPersistence {
        let persistence = FileTokenPersistence(path: path)
        for warning in persistence.warnings() {
            Output.error("warning: \(warning)")
        }
        return persistence
    }
}
