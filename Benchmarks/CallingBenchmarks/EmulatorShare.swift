import CallingAuth
import CallingBenchmarkKit
import CallingCore
import CallingEmulator
import CallingMobius
import CallingTransport
import Foundation

/// What the in-memory emulator itself costs for a shape of users and lines, so that a benchmark
/// running a client against it can state the client's share alone.
///
/// Measured on an emulator of its own, with the same users and devices as the shape, each device
/// registered and kept alive once, and no client: the heap the emulator holds afterwards, and the
/// CPU its handler takes to answer a keepalive (recorded keepalives replayed straight into it).
struct EmulatorShare {
    /// Heap bytes the emulator holds per line: its users, their tokens, devices, registrations.
    let bytesPerLine: Int
    /// Of those, the bytes it holds per user before the user has a line.
    let bytesPerUser: Int
    /// CPU the emulator takes to answer one keepalive, in nanoseconds.
    let cpuNanosecondsPerKeepalive: Double

    /// Keepalives whose requests are replayed, and how many times over.
    private static let sampledKeepalives = 1_000
    private static let replays = 20_000

    /// Measures the share on a new emulator made with `configuration`, for `users` users with
    /// `linesPerUser` lines each; nothing of it is kept but the figures.
    static func measure(users: Int, linesPerUser: Int, configuration: WebexEmulator.Configuration) async throws -> EmulatorShare {
        let bytesPerUser = await userBytes(users: users, configuration: configuration)
        let heapBefore = ProcessStats.heapBytes()
        let emulator = WebexEmulator(configuration: configuration)
        let base = WebexEmulator.inMemoryBaseURL
        let handler = emulator.handler(baseURL: base)
        let recorded = Locked<[HTTPRequest]?>(nil)
        let transport = InMemoryTransport(recordsRequests: false) { request in
            recorded.withLock { requests in
                if request.method == .post, request.url.path.hasSuffix("/status") {
                    requests?.append(request)
                }
            }
            return try await handler(request)
        }
        var samples = try await register(
            emulator.addUsers(users), linesPerUser: linesPerUser, transport: transport, base: base, keeping: sampledKeepalives
        )
        recorded.withLock { $0 = [] }
        for (registrar, registration) in samples {
            _ = await registrar.keepalive(registration)
        }
        var requests = recorded.withLock { $0 ?? [] }
        guard !requests.isEmpty else { throw BenchmarkError("the emulator answered no keepalive to replay") }
        let cpuBefore = ProcessStats.cpuSeconds()
        for index in 0..<replays {
            _ = try await emulator.handle(requests[index % requests.count], baseURL: base)
        }
        let cpu = ProcessStats.cpuSeconds() - cpuBefore
        (samples, requests) = ([], [])
        recorded.withLock { $0 = nil }
        let lines = max(users * linesPerUser, 1)
        let share = EmulatorShare(
            bytesPerLine: max(ProcessStats.heapBytes() - heapBefore, 0) / lines,
            bytesPerUser: bytesPerUser,
            cpuNanosecondsPerKeepalive: cpu * 1e9 / Double(replays)
        )
        withExtendedLifetime(emulator) {}
        return share
    }

    /// What the emulator holds for each of `users` users it made, the tokens it handed out
    /// gone (they are the client's).
    private static func userBytes(users: Int, configuration: WebexEmulator.Configuration) async -> Int {
        let heapBefore = ProcessStats.heapBytes()
        let emulator = WebexEmulator(configuration: configuration)
        _ = await emulator.addUsers(users)
        let bytes = max(ProcessStats.heapBytes() - heapBefore, 0) / max(users, 1)
        withExtendedLifetime(emulator) {}
        return bytes
    }

    /// Registers every user's lines and keeps each alive once, each user through a registrar of
    /// its own as the shape has it; the first `keeping` registrations, with their registrars.
    private static func register(
        _ users: [EmulatorUser], linesPerUser: Int, transport: InMemoryTransport, base: URL, keeping: Int
    ) async throws -> [(MobiusRegistrar, LineRegistration)] {
        var kept: [(MobiusRegistrar, LineRegistration)] = []
        for user in users {
            let registrar = MobiusRegistrar(
                configuration: .emulator(baseURL: base), transport: transport, tokenProvider: FixedToken(token: user.tokens.accessToken)
            )
            let servers = try await registrar.discoverServers()
            for _ in 0..<linesPerUser {
                let device = try await registrar.makeDevice()
                guard case .succeeded(let registration) = await registrar.register(device, at: servers.primaries[0]).kind else {
                    throw BenchmarkError("the emulator refused a registration while measuring its own share")
                }
                _ = await registrar.keepalive(registration)
                if kept.count < keeping {
                    kept.append((registrar, registration))
                }
            }
        }
        return kept
    }
}
