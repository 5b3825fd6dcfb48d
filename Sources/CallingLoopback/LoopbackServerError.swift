/// The loopback server could not start.
public struct LoopbackServerError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to do about it.
    public var message: String

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
