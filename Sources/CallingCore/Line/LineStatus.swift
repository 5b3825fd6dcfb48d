/// Whether a line is registered, as the reference client reports it.
///
/// A struct rather than an enum, so that new states can be added without breaking callers.
public struct LineStatus: Hashable, Sendable, CustomStringConvertible {
    private let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// Not registered: at first, while (re)trying, and after a final error.
    public static let inactive = LineStatus("inactive")
    /// Registered and kept alive.
    public static let active = LineStatus("active")
    /// Deregistered by the app (or a shutdown).
    public static let idle = LineStatus("idle")

    /// The status named `name` (`inactive`, `active` or `idle`), if there is one.
    public init?(name: String) {
        guard let known = [Self.inactive, .active, .idle].first(where: { $0.name == name }) else { return nil }
        self = known
    }

    /// `inactive`, `active` or `idle`.
    public var description: String { name }
}
