import CallingAuth
import CallingCore
import CallingMobius
import CallingLoopback
import CallingTransport
import Foundation

/// The emulator over real HTTP on 127.0.0.1: one port for OAuth, the device manager, region and
/// the admin API, and one port per Mobius server, so that a server that is down refuses
/// connections for real and failover crosses the network.
///
/// ```swift
/// let server = try await EmulatorServer.start()
/// defer { server.stop() }
/// let registrar = MobiusRegistrar(configuration: server.mobiusConfiguration,
///                                 transport: URLSessionTransport(), tokenProvider: store)
/// ```
public final class EmulatorServer: Sendable {
    /// The emulator being served.
    public let emulator: WebexEmulator
    /// `http://127.0.0.1:<port>`: OAuth, device manager, region, admin.
    public let baseURL: URL
    private let main: LoopbackHTTPServer
    private let mobius: Locked<[String: (port: UInt16, server: LoopbackHTTPServer?)]>

    private init(emulator: WebexEmulator, main: LoopbackHTTPServer, mobius: [String: (UInt16, LoopbackHTTPServer?)]) {
        self.emulator = emulator
        self.main = main
        self.baseURL = main.baseURL
        self.mobius = Locked(mobius)
    }

    /// Starts serving.
    ///
    /// - Parameters:
    ///   - emulator: The emulator to serve.
    ///   - configuration: The main port (0 picks a free one) and the HTTP limits. Mobius
    ///     servers always get free ports.
    /// - Throws: `LoopbackServerError` when a port cannot be bound.
    public static func start(
        emulator: WebexEmulator = WebexEmulator(),
        configuration: LoopbackHTTPServer.Configuration = .defaults
    ) async throws -> EmulatorServer {
        let main = try LoopbackHTTPServer.start(configuration: configuration, handler: forward(to: emulator))
        let baseURL = main.baseURL
        var mobius: [String: (UInt16, LoopbackHTTPServer?)] = [:]
        for name in emulator.configuration.primaryServers + emulator.configuration.backupServers {
            let listener = try LoopbackHTTPServer.start(handler: forward(to: emulator, baseURL: baseURL))
            mobius[name] = (listener.port, listener)
        }
        let server = EmulatorServer(emulator: emulator, main: main, mobius: mobius)
        let bases = mobius.mapValues { URL(string: "http://127.0.0.1:\($0.0)/mobius")! }
        await emulator.host(
            mobiusBaseURLs: Dictionary(uniqueKeysWithValues: bases.map { ($0.key, $0.value.appending(path: $0.key)) }),
            observingOutages: { [weak server] name, outage in server?.follow(outage, server: name) }
        )
        for name in mobius.keys where await emulator.outage(ofServer: name) == .connectionRefused {
            server.follow(.connectionRefused, server: name)
        }
        return server
    }

    /// The OAuth endpoints, for `OAuthConfiguration`.
    public var oauthEndpoints: OAuthConfiguration.Endpoints {
        .emulator(baseURL: baseURL)
    }

    /// The Mobius registrar's configuration: every Webex URL pointing here, discovery through
    /// the first backup server.
    public var mobiusConfiguration: MobiusRegistrar.Configuration {
        let backup = emulator.configuration.backupServers.first ?? emulator.configuration.primaryServers[0]
        let port = mobius.withLock { $0[backup]?.port } ?? main.port
        return .emulator(baseURL: baseURL, discoveryHost: URL(string: "http://127.0.0.1:\(port)/mobius/\(backup)/api/v1")!)
    }

    /// Stops every listener.
    public func stop() {
        main.stop()
        mobius.withLock { servers in
            for (name, entry) in servers {
                entry.server?.stop()
                servers[name] = (entry.port, nil)
            }
        }
    }

    /// Closes a server's listener when it goes down refusing connections; reopens it on the same
    /// port when it comes back.
    private func follow(_ outage: ServerOutage?, server name: String) {
        mobius.withLock { servers in
            guard let entry = servers[name] else { return }
            if outage == .connectionRefused {
                entry.server?.stop()
                servers[name] = (entry.port, nil)
            } else if entry.server == nil {
                let listener = try? LoopbackHTTPServer.start(
                    configuration: .init(port: entry.port), handler: Self.forward(to: emulator, baseURL: baseURL)
                )
                servers[name] = (entry.port, listener)
            }
        }
    }

    /// Serves the emulator; its own base URL is `baseURL`, or the listener's when `nil`.
    private static func forward(to emulator: WebexEmulator, baseURL: URL? = nil) -> LoopbackHTTPServer.Handler {
        { request in
            let base = baseURL ?? URL(string: "http://127.0.0.1:\(request.url.port ?? 80)")!
            return try await emulator.handle(request, baseURL: base)
        }
    }
}
