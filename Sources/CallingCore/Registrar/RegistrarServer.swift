import Foundation

/// One server that lines can register with, for example a Mobius URL ending in `/calling/web/`.
public struct RegistrarServer: Sendable, Hashable, CustomStringConvertible {
    /// The server's address; its meaning is the registrar's (an HTTPS base URL for Mobius).
    public var url: URL

    /// Creates a server.
    public init(url: URL) {
        self.url = url
    }

    /// The URL.
    public var description: String { url.absoluteString }
}

/// The servers a registrar found: primaries first, backups when every primary fails.
public struct RegistrarServers: Sendable, Equatable {
    /// Tried first, in order.
    public var primaries: [RegistrarServer]
    /// Tried when the primaries have failed for the whole retry budget.
    public var backups: [RegistrarServer]

    /// Creates a server list.
    public init(primaries: [RegistrarServer], backups: [RegistrarServer]) {
        self.primaries = primaries
        self.backups = backups
    }
}
