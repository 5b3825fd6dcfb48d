@testable import CallingCore
import CallingTesting
import CallingTransport
import Foundation
import Testing

/// What a client's registrars share, so that a gateway's thousands of users cost little each:
/// one copy of each distinct server list and one policy for each miss limit.
@Suite("What registrars share in one client")
struct ClientRegistrarSharingTests {
    static func servers(_ name: String) -> RegistrarServers {
        RegistrarServers(primaries: [ScriptedRegistrar.server("\(name)-primary")], backups: [ScriptedRegistrar.server("\(name)-backup")])
    }

    func context() -> LineContext {
        let clock = ManualClock()
        return LineContext(
            configuration: .defaults, time: TimeSource(clock: clock, date: clock.wallClock), random: .system, progressStore: nil, logger: .disabled
        )
    }

    @Test("registrars that discover the same servers keep one list; different servers keep their own")
    func serverListsShared() async throws {
        let context = context()
        let registrars = [Self.servers("east"), Self.servers("east"), Self.servers("west"), Self.servers("east")].map {
            context.use(ScriptedRegistrar(servers: $0))
        }
        var found: [RegistrarServers] = []
        for registrar in registrars {
            found.append(try await registrar.discover())
        }
        #expect(found == [Self.servers("east"), Self.servers("east"), Self.servers("west"), Self.servers("east")])
        #expect(registrars.map(\.servers) == found)
        #expect(context.serverLists.count == 2)
    }

    @Test("past the limit of distinct lists, a new list is used as it is and not kept")
    func serverListsBounded() {
        let lists = ServerLists()
        for index in 0..<ServerLists.limit + 10 {
            #expect(lists.shared(Self.servers("region-\(index)")) == Self.servers("region-\(index)"))
        }
        #expect(lists.count == ServerLists.limit)
        #expect(lists.shared(Self.servers("region-0")) == Self.servers("region-0"))
        #expect(lists.count == ServerLists.limit)
    }

    @Test("registrars with the same miss limit share one policy object; another limit gets its own")
    func policiesShared() {
        let context = context()
        let five = (0..<3).map { _ in context.use(ScriptedRegistrar(servers: Self.servers("a"), keepaliveMissLimit: 5)) }
        let two = context.use(ScriptedRegistrar(servers: Self.servers("a"), keepaliveMissLimit: 2))
        #expect(five.allSatisfy { $0.policy === five[0].policy })
        #expect(five[0].policy.keepaliveMissLimit == 5)
        #expect(two.policy !== five[0].policy)
        #expect(two.policy.keepaliveMissLimit == 2)
    }
}
