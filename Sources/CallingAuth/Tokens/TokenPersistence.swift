/// Where a ``TokenStore`` keeps tokens between runs.
///
/// ``FileTokenPersistence`` is the package's implementation. A keychain, a database row or a
/// secrets manager is one small conformance away; `save` must replace the stored tokens all at
/// once (never leave half of them written), because a refresh token that was rotated exists
/// nowhere else.
public protocol TokenPersistence: Sendable {
    /// The stored tokens, or `nil` when none have been stored.
    ///
    /// - Throws: An error that says where the tokens are and why they cannot be read.
    func load() async throws -> TokenSet?

    /// Replaces the stored tokens.
    ///
    /// - Throws: An error that says where the tokens are and why they cannot be written.
    func save(_ tokens: TokenSet) async throws

    /// Runs `body` while no other process sharing these tokens runs its own, so that one of
    /// them refreshes and the others read what it saved (with a server that rotates refresh
    /// tokens, a second refresh with the old token would fail).
    ///
    /// The default runs `body` at once: right for storage only one process uses.
    func withExclusiveAccess<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result
}

extension TokenPersistence {
    /// Runs `body` at once.
    public func withExclusiveAccess<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        try await body()
    }
}
