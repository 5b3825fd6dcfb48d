import CallingTransport

/// One copy of each distinct server list a client's registrars discovered. Webex sends the users
/// of one region to the same servers, so a gateway's thousands of registrars share a few lists
/// instead of holding thousands of copies of the same URLs.
final class ServerLists: Sendable {
    /// Distinct lists kept; a list found past them is used as it is.
    static let limit = 64

    private let lists = Locked<[RegistrarServers]>([])

    /// The kept list equal to `servers`, or `servers`, kept while there is room.
    func shared(_ servers: RegistrarServers) -> RegistrarServers {
        lists.withLock { lists in
            if let known = lists.first(where: { $0 == servers }) {
                return known
            }
            if lists.count < Self.limit {
                lists.append(servers)
            }
            return servers
        }
    }

    /// How many distinct lists are kept.
    var count: Int {
        lists.withLock(\.count)
    }
}
