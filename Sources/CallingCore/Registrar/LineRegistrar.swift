/// The backend a line registers with: one registration attempt, one keepalive, one
/// deregistration, a health ping, and the discovery of servers and devices.
///
/// Everything a line does over time (retries with backoff, failover to backups, rehoming,
/// keepalive misses, events) is written once in CallingCore against this protocol. A registrar
/// only performs single operations and classifies their answers as a ``RegistrarResult``:
///
/// | answer | register | keepalive |
/// |---|---|---|
/// | success | `.succeeded(registration)` | `.succeeded` |
/// | malformed request, token refused after refresh, user not allowed | `.final` | `.final` |
/// | the user has too many devices | `.deviceLimit(existing:)` | `.retryable` (a miss) |
/// | registration unknown | `.final` | `.deviceNotFound` |
/// | slow down | `.retryable(retryAfter:)` | `.retryable(retryAfter:)` (keepalives pause) |
/// | server error, network failure | `.retryable` | `.retryable` (a miss) |
///
/// Two are built in: `MobiusRegistrar` (CallingMobius), Webex Calling over HTTPS, and
/// `SIPRegistrar` (CallingSIP), any standard SIP registrar over UDP or TCP.
///
/// ## Implement a custom registrar
/// ```swift
/// struct LabRegistrar: LineRegistrar {
///     let server = RegistrarServer(url: URL(string: "sip:registrar.lab.example")!)
///
///     func discoverServers() async throws -> RegistrarServers {
///         RegistrarServers(primaries: [server], backups: [])
///     }
///     func makeDevice() async throws -> LineDevice {
///         LineDevice(userID: "alice", deviceURL: "urn:uuid:\(UUID())")
///     }
///     func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
///         do {
///             let id = try await sendRegister(device, to: server)        // your wire protocol
///             return .succeeded(LineRegistration(
///                 device: RegisteredDevice(deviceID: id, server: server, clientDeviceURL: device.deviceURL),
///                 keepaliveInterval: .seconds(30)))
///         } catch {
///             return .retryable(LineError(code: .defaultError, detail: "\(error)"))
///         }
///     }
///     func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> { … }
///     func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> { … }
///     func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool { … }
/// }
/// ```
/// Then `CallingClient(registrar: LabRegistrar())` runs lines against it.
public protocol LineRegistrar: Sendable {
    /// The servers to register with.
    ///
    /// - Throws: An error that says why discovery failed and what to check.
    func discoverServers() async throws -> RegistrarServers

    /// A new device identity for one line.
    ///
    /// - Throws: An error that says why no device could be made.
    func makeDevice() async throws -> LineDevice

    /// One registration attempt at one server.
    func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration>

    /// One keepalive for a registration; it must use fresh credentials each time.
    func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void>

    /// Removes a registration at its server.
    func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void>

    /// Whether a server is up, to decide when to move back from a backup; `device` is the line
    /// asking (Mobius wants it on every request).
    func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool

    /// Consecutive keepalive misses after which a line counts as unregistered and reconnects.
    var keepaliveMissLimit: Int { get }
}

extension LineRegistrar {
    /// Five misses, as Webex Calling uses.
    public var keepaliveMissLimit: Int { 5 }
}
