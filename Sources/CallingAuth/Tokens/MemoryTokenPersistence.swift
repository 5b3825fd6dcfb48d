/// Tokens kept in memory only, for processes that must not write them to disk (demos, tests,
/// short-lived tools). They are gone when the process ends.
public actor MemoryTokenPersistence: TokenPersistence {
    private var tokens: TokenSet?

    /// Creates an empty store.
    public init() {}

    /// The tokens saved last, if any.
    public func load() async throws -> TokenSet? {
        tokens
    }

    /// Keeps `tokens`.
    public func save(_ tokens: TokenSet) async throws {
        self.tokens = tokens
    }
}
