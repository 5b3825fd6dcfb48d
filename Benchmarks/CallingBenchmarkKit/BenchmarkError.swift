/// A benchmark that cannot run as asked: the message says why (exit status 2).
public struct BenchmarkError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}
