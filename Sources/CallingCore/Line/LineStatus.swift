/// Whether a line is registered.
///
/// A struct rather than an enum, so that new states can be added without breaking callers.
public struct LineStatus: Hashable, Sendable, CustomStringConvertible {
    private let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// Not registered: the initial state, and the state after errors and deregistration.
    public static let inactive = LineStatus("inactive")
    /// Registered and kept alive.
    public static let active = LineStatus("active")

    /// `inactive` or `active`.
    public var description: String { name }
}
