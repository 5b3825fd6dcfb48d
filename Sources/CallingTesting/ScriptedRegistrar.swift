import CallingCore
import CallingTransport
import Foundation

/// A `LineRegistrar` that answers from a script, for testing code built on CallingCore
/// without a server.
///
/// Each operation answers with the next of its queued ``Answer``s, or with its default once the
/// queue is empty (success, unless ``setDefault(_:for:at:)`` says otherwise). ``hold(_:)`` makes an
/// operation's calls wait until ``release(_:)``, so a test can line up what happens while an
/// answer is outstanding; a held or ``Answer/never`` call still ends when its task is cancelled,
/// as a real registrar's would. Every call is counted, with how many were in flight at once.
///
/// ```swift
/// let registrar = ScriptedRegistrar()
/// registrar.enqueue(.retryable(LineError(code: .serviceUnavailable)), for: .register)
/// let client = CallingClient(registrar: registrar, clock: clock)
/// ```
public final class ScriptedRegistrar: LineRegistrar {
    /// An operation of `LineRegistrar`.
    public enum Operation: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// `LineRegistrar.discoverServers()`.
        case discover
        /// `LineRegistrar.makeDevice()`.
        case makeDevice
        /// `LineRegistrar.register(_:at:)`.
        case register
        /// `LineRegistrar.keepalive(_:)`.
        case keepalive
        /// `LineRegistrar.deregister(_:)`.
        case deregister
        /// `LineRegistrar.ping(_:as:)`.
        case ping

        /// The operation's name.
        public var description: String { rawValue }
    }

    /// How one call answers.
    public enum Answer: Sendable {
        /// Success: the servers, a new device, a registration on the server asked, or "up".
        case success
        /// `RegistrarResult.retryable(_:retryAfter:)`; discovery and device creation throw
        /// the error, a ping says "down".
        case retryable(LineError, retryAfter: Duration? = nil)
        /// `RegistrarResult.final(_:)`; thrown or "down" as for `retryable`.
        case final(LineError)
        /// `RegistrarResult.deviceLimit(existing:error:)` naming `existing` (registrations only).
        case deviceLimit(existing: RegisteredDevice, LineError)
        /// `RegistrarResult.deviceNotFound(_:)` (keepalives only).
        case deviceNotFound(LineError)
        /// No answer until the caller's task is cancelled (then a retryable failure).
        case never
    }

    /// One call, as the registrar saw it.
    public struct Call: Sendable, Equatable, CustomStringConvertible {
        /// Which operation.
        public var operation: Operation
        /// The server it went to, for those that go to one.
        public var server: RegistrarServer?
        /// The registration's device id, for keepalives and deregistrations.
        public var deviceID: String?

        /// The operation, the server's first name and the device id, for example
        /// `keepalive primary-1 registration-1`.
        public var description: String {
            [operation.rawValue, server?.url.host.map { String($0.prefix { $0 != "." }) }, deviceID].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// Whose answers: an operation's, at one server or (`server` nil) at any.
    private struct Key: Hashable {
        var operation: Operation
        var server: RegistrarServer?
    }

    private struct State {
        var queued: [Key: [Answer]] = [:]
        var defaults: [Key: Answer] = [:]
        var held: Set<Operation> = []
        /// Calls waiting for a release of their operation, or (no operation) for cancellation.
        var parked: [UInt64: (operation: Operation?, continuation: CheckedContinuation<Void, Never>)] = [:]
        var calls: [Call] = []
        var counts: [Operation: Int] = [:]
        var inFlight: [Operation: Int] = [:]
        var mostInFlight: [Operation: Int] = [:]
        var nextID: UInt64 = 0
        var countWaiters: [(operation: Operation, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// The servers `LineRegistrar.discoverServers()` answers.
    public let servers: RegistrarServers
    /// The interval each registration asks for.
    public let keepaliveInterval: Duration
    /// Consecutive misses after which a line reconnects.
    public let keepaliveMissLimit: Int
    private let state = Locked(State())

    /// Creates a registrar with every answer a success.
    ///
    /// - Parameters:
    ///   - servers: What discovery answers: by default `primary-1` and `primary-2`, and `backup-1`
    ///     (`https://<name>.scripted.invalid`).
    ///   - keepaliveInterval: The interval each registration asks for.
    ///   - keepaliveMissLimit: Misses after which a line reconnects.
    public init(
        servers: RegistrarServers = ScriptedRegistrar.defaultServers,
        keepaliveInterval: Duration = .seconds(30),
        keepaliveMissLimit: Int = 5
    ) {
        self.servers = servers
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveMissLimit = keepaliveMissLimit
    }

    /// Two primaries and a backup under `scripted.invalid`, a name that never resolves.
    public static var defaultServers: RegistrarServers {
        RegistrarServers(primaries: [server("primary-1"), server("primary-2")], backups: [server("backup-1")])
    }

    /// The server `https://<name>.scripted.invalid`.
    public static func server(_ name: String) -> RegistrarServer {
        RegistrarServer(url: URL(string: "https://\(name).scripted.invalid")!)
    }

    // MARK: Scripting

    /// Queues answers for the next calls of `operation`, after any already queued: at `server`
    /// only, or at any server. A server's own answers come before the others.
    public func enqueue(_ answers: Answer..., for operation: Operation, at server: RegistrarServer? = nil) {
        state.withLock { $0.queued[Key(operation: operation, server: server), default: []].append(contentsOf: answers) }
    }

    /// Sets how `operation` answers once its queues are empty: at `server` only, or at any server
    /// without a default of its own.
    public func setDefault(_ answer: Answer, for operation: Operation, at server: RegistrarServer? = nil) {
        state.withLock { $0.defaults[Key(operation: operation, server: server)] = answer }
    }

    /// Holds every call of `operation`, from now until ``release(_:)``.
    public func hold(_ operation: Operation) {
        state.withLock { _ = $0.held.insert(operation) }
    }

    /// Lets held calls of `operation` answer, and stops holding new ones.
    public func release(_ operation: Operation) {
        let released = state.withLock { state in
            state.held.remove(operation)
            let released = state.parked.filter { $0.value.operation == operation }
            for id in released.keys {
                state.parked[id] = nil
            }
            return released.values.map(\.continuation)
        }
        released.forEach { $0.resume() }
    }

    // MARK: What was asked

    /// Every call so far, in the order they arrived.
    public var calls: [Call] {
        state.withLock(\.calls)
    }

    /// How many calls of `operation` arrived.
    public func count(_ operation: Operation) -> Int {
        state.withLock { $0.counts[operation, default: 0] }
    }

    /// How many calls of `operation` are under way now.
    public func inFlight(_ operation: Operation) -> Int {
        state.withLock { $0.inFlight[operation, default: 0] }
    }

    /// The most calls of `operation` that were under way at once.
    public func mostInFlight(_ operation: Operation) -> Int {
        state.withLock { $0.mostInFlight[operation, default: 0] }
    }

    /// Waits until `count` calls of `operation` have arrived.
    public func waitForCalls(_ operation: Operation, count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                guard state.counts[operation, default: 0] < count else { return true }
                state.countWaiters.append((operation, count, continuation))
                return false
            }
            if ready {
                continuation.resume()
            }
        }
    }

    // MARK: LineRegistrar

    /// The scripted servers, or the scripted failure thrown.
    public func discoverServers() async throws -> RegistrarServers {
        let (answer, _) = await answer(Call(operation: .discover))
        if let error = Self.failure(answer) {
            throw error
        }
        return servers
    }

    /// A device `urn:scripted:device-N` of user `scripted-user`, or the scripted failure thrown.
    public func makeDevice() async throws -> LineDevice {
        let (answer, number) = await answer(Call(operation: .makeDevice))
        if let error = Self.failure(answer) {
            throw error
        }
        return LineDevice(userID: "scripted-user", deviceURL: "urn:scripted:device-\(number)")
    }

    /// A registration with id `registration-N` on `server`, or the scripted failure.
    public func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
        switch await answer(Call(operation: .register, server: server)) {
        case (.success, let number):
            let registered = RegisteredDevice(
                deviceID: "registration-\(number)", server: server, clientDeviceURL: device.deviceURL
            )
            return .succeeded(LineRegistration(device: registered, keepaliveInterval: keepaliveInterval))
        case (let failure, _):
            return Self.result(of: failure)
        }
    }

    /// The scripted keepalive answer.
    public func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> {
        Self.voidResult(await answer(Call(operation: .keepalive, server: registration.device.server, deviceID: registration.device.deviceID)).answer)
    }

    /// The scripted deregistration answer.
    public func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> {
        Self.voidResult(await answer(Call(operation: .deregister, server: device.server, deviceID: device.deviceID)).answer)
    }

    /// Up when the scripted answer is a success.
    public func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool {
        if case .success = await answer(Call(operation: .ping, server: server)).answer {
            return true
        }
        return false
    }

    // MARK: Answering

    /// Counts the call, waits while its operation is held, and takes its answer; `number` is
    /// the call's place among its operation's calls (from 1).
    private func answer(_ call: Call) async -> (answer: Answer, number: Int) {
        let operation = call.operation
        let (id, number, held, reached) = state.withLock { state in
            state.calls.append(call)
            state.counts[operation, default: 0] += 1
            state.inFlight[operation, default: 0] += 1
            state.mostInFlight[operation] = max(state.mostInFlight[operation, default: 0], state.inFlight[operation, default: 0])
            state.nextID += 1
            let count = state.counts[operation, default: 0]
            let reached = state.countWaiters.filter { $0.operation == operation && $0.count <= count }.map(\.continuation)
            state.countWaiters.removeAll { $0.operation == operation && $0.count <= count }
            return (state.nextID, count, state.held.contains(operation), reached)
        }
        reached.forEach { $0.resume() }
        defer {
            state.withLock { $0.inFlight[operation, default: 0] -= 1 }
        }
        if held {
            await waitUntilReleasedOrCancelled(id, operation)
        }
        let answer = state.withLock { state in
            let keys = [Key(operation: operation, server: call.server), Key(operation: operation, server: nil)]
            for key in keys where state.queued[key]?.isEmpty == false {
                return state.queued[key]!.removeFirst()
            }
            return state.defaults[keys[0]] ?? state.defaults[keys[1]] ?? .success
        }
        guard case .never = answer else { return (answer, number) }
        await waitUntilReleasedOrCancelled(id, nil)
        return (.retryable(LineError(code: .defaultError, detail: "the scripted \(operation) was cancelled")), number)
    }

    /// Parks the call until it is released (`operation` given) or its task is cancelled.
    private func waitUntilReleasedOrCancelled(_ id: UInt64, _ operation: Operation?) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    guard !Task.isCancelled else { return true }
                    if let operation, !state.held.contains(operation) {
                        return true
                    }
                    state.parked[id] = (operation, continuation)
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            state.withLock { $0.parked.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    private static func failure(_ answer: Answer) -> LineError? {
        switch answer {
        case .success: nil
        case .retryable(let error, _), .final(let error), .deviceLimit(_, let error), .deviceNotFound(let error): error
        case .never: LineError(code: .defaultError, detail: "the scripted call was cancelled")
        }
    }

    private static func voidResult(_ answer: Answer) -> RegistrarResult<Void> {
        if case .success = answer {
            return .succeeded
        }
        return result(of: answer)
    }

    /// The result of a failing answer.
    private static func result<Success>(of answer: Answer) -> RegistrarResult<Success> {
        switch answer {
        case .retryable(let error, let retryAfter): .retryable(error, retryAfter: retryAfter)
        case .final(let error): .final(error)
        case .deviceLimit(let existing, let error): .deviceLimit(existing: existing, error: error)
        case .deviceNotFound(let error): .deviceNotFound(error)
        case .success, .never: .retryable(LineError(code: .defaultError, detail: "the scripted call was cancelled"))
        }
    }
}
