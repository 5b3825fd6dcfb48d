import CallingAuth

/// A user the emulator made with ``WebexEmulator/addUsers(_:scope:)``, logged in: a gateway's
/// tests and benchmarks give each a token store of its own.
public struct EmulatorUser: Sendable {
    /// The user's id, as Mobius answers carry it (`emulator-user-1`, `emulator-user-2`, …).
    public let userID: String
    /// The user's tokens as the token endpoint answers a login: hand them to
    /// `TokenStore.login(with:)`.
    public let tokens: TokenResponse
}
