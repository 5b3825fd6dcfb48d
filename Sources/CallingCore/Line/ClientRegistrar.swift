import CallingTransport

/// A registrar as one client's lines use it: the backend, the servers it discovered and the
/// policy its miss limit shapes. Lines of many registrars (many users' tokens, SIP accounts)
/// share one client, one scheduler and one worker pool; each line keeps the registrar it was
/// added with.
final class ClientRegistrar: Sendable {
    let backend: any LineRegistrar
    let policy: LineStateMachine.Policy
    private let discovered = Locked(RegistrarServers(primaries: [], backups: []))
    private let serverLists: ServerLists

    init(_ backend: any LineRegistrar, policy: LineStateMachine.Policy, serverLists: ServerLists) {
        self.backend = backend
        self.policy = policy
        self.serverLists = serverLists
    }

    /// The server lists from the last discovery.
    var servers: RegistrarServers {
        discovered.withLock { $0 }
    }

    /// Discovers the servers and keeps them for the lines (the client's copy, when another
    /// registrar found the same).
    @discardableResult
    func discover() async throws -> RegistrarServers {
        let servers = serverLists.shared(try await backend.discoverServers())
        discovered.withLock { $0 = servers }
        return servers
    }
}
