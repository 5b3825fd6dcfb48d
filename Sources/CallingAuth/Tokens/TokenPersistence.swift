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
}
