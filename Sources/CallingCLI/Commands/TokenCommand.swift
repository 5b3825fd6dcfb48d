import CallingAuth
import CallingCommandLine
import CallingTransport
import Foundation

/// `calling token status|refresh`: expiry and scopes (never the token), or a refresh now.
enum TokenCommand: CallingCommand {
    static let spec = CommandSpec(
        name: "token",
        summary: "show the stored tokens' expiry and scopes (never the tokens), or refresh them now",
        usage: "token status|refresh [--token-file FILE] …",
        options: AuthOptions.specs,
        positionals: 1
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        guard arguments.positionals.count == 1, let action = arguments.positionals.first, ["status", "refresh"].contains(action) else {
            throw UsageError(message: "say `status` or `refresh`")
        }
        let tokens: TokenSet
        if action == "status" {
            let file = arguments.value("token-file") ?? AuthOptions.defaultTokenFile(environment: environment)
            guard let stored = try await load(AuthSettings.tokenFile(file)) else {
                throw CommandFailure(message: "no tokens in \(file): run `calling login` first")
            }
            tokens = stored
        } else {
            let settings = try AuthSettings(arguments, environment: environment, redirectURI: URL(string: "http://127.0.0.1/callback")!)
            let store = settings.tokenStore(transport: URLSessionTransport())
            _ = try await load(FileTokenPersistence(path: settings.tokenFile))
            do {
                tokens = try await store.refresh()
            } catch let error as OAuthError {
                throw CommandFailure(message: "\(error.message)" + (error.code == .loginRequired ? " (run `calling login`)" : ""))
            }
            output.emit("refreshed; new tokens saved to \(settings.tokenFile)", ["event": "refreshed", "tokenFile": settings.tokenFile])
        }
        let now = Date()
        let access = tokens.accessTokenExpiresAt
        output.emit(
            "access token: \(validity(access, now: now)) (\(Int(access.timeIntervalSince(now))) s)",
            ["event": "access-token", "accessTokenExpiresAt": Output.timestamp(access), "accessTokenValid": access > now]
        )
        if let refresh = tokens.refreshTokenExpiresAt {
            output.emit(
                "refresh token: \(validity(refresh, now: now))" + (refresh > now ? "" : "; run `calling login`"),
                ["event": "refresh-token", "refreshTokenExpiresAt": Output.timestamp(refresh), "refreshTokenValid": refresh > now]
            )
        } else {
            output.emit("refresh token: \(tokens.refreshToken == nil ? "none" : "expiry not stated")", ["event": "refresh-token", "refreshToken": tokens.refreshToken != nil])
        }
        output.emit("scopes: \(tokens.scopes.joined(separator: " "))", ["event": "scopes", "scopes": tokens.scopes])
    }

    /// "valid until …" or "expired at …", the date in ISO 8601 (which every year a token file
    /// can hold prints in, 9999 too).
    private static func validity(_ date: Date, now: Date) -> String {
        (date > now ? "valid until " : "expired at ") + Output.timestamp(date)
    }

    /// Reads the token file, turning a corrupt or unreadable one into a failure that names it.
    private static func load(_ persistence: FileTokenPersistence) async throws -> TokenSet? {
        do {
            return try await persistence.load()
        } catch let error as OAuthError {
            throw CommandFailure(message: error.message.replacingOccurrences(of: "log in again", with: "run `calling login` again"))
        }
    }
}
