import CallingTransport
import CallingAuth

/// Token persistence in memory that counts its calls and can be told to fail.
public final class InMemoryTokenPersistence: TokenPersistence {
    private struct State {
        var stored: TokenSet?
        var saves = 0
        var failingSaves = 0
    }

    /// The error thrown by a failing save.
    public struct SaveFailure: Error, Sendable {}

    private let state: Locked<State>

    /// Creates a persistence holding `tokens`.
    public init(_ tokens: TokenSet? = nil) {
        state = Locked(State(stored: tokens))
    }

    /// The stored tokens.
    public var stored: TokenSet? {
        get { state.withLock { $0.stored } }
        set { state.withLock { $0.stored = newValue } }
    }

    /// How many saves succeeded.
    public var saveCount: Int { state.withLock { $0.saves } }

    /// Makes the next `count` saves throw ``SaveFailure``.
    public func failNextSaves(_ count: Int) {
        state.withLock { $0.failingSaves = count }
    }

    /// Returns the stored tokens.
    public func load() async throws -> TokenSet? {
        stored
    }

    /// Stores the tokens, or throws when told to fail.
    public func save(_ tokens: TokenSet) async throws {
        try state.withLock { state in
            if state.failingSaves > 0 {
                state.failingSaves -= 1
                throw SaveFailure()
            }
            state.stored = tokens
            state.saves += 1
        }
    }
}
