import CallingTransport
import Foundation

/// Registers any number of lines and keeps them registered.
///
/// ```swift
/// let registrar = MobiusRegistrar(transport: URLSessionTransport(), tokenProvider: tokenStore)
/// try await withCallingClient(registrar: registrar) { client in
///     let line = try await client.addLine()
///     let events = line.events
///     try await line.register()
///     for await event in events { print(event) }
/// }
/// ```
///
/// A client made with a registrar adds lines to it with ``addLine(_:)``; lines of other
/// registrars (other users' tokens, SIP accounts) join the same client with
/// ``addLine(using:_:)``, so a gateway serving many users runs one client: one scheduler
/// thread, one worker pool and one shutdown for every line.
///
/// The client's ``run()`` drives every line's keepalives and waits (retries, failover,
/// rehoming checks) on one scheduler thread and a few worker tasks; a waiting line costs an
/// entry in the scheduler, not a task. ``withCallingClient(_:isolation:_:)`` runs it for you.
/// ``beginGracefulShutdown()`` deregisters every line (at most
/// ``Configuration/deregistrationConcurrency`` at once, within
/// ``Configuration/shutdownTimeLimit``), finishes all event streams and lets `run()` return;
/// cancelling `run()` stops at once without deregistering.
///
/// A client goes through four phases: not started, running, stopping, stopped. Lines can be
/// added until it stops; once `run()` has returned, ``addLine(_:)`` and ``Line/register()``
/// throw ``CallingError/Code/shutDown``: nothing would keep a new registration alive.
///
/// To run it as a ServiceLifecycle `Service`, forward `run()` and trigger
/// `beginGracefulShutdown()` from the graceful-shutdown handler; see the README.
public final class CallingClient: Sendable {
    /// Where the client is in its life.
    private enum Phase {
        case notStarted
        case running
        /// `run()` is deregistering or stopping the lines.
        case stopping
        /// `run()` has returned.
        case stopped
    }

    private struct State {
        var lines: [UUID: Line] = [:]
        var discovered = false
        var phase = Phase.notStarted
        var shutdownRequested = false
        var shutdownWaiter: CheckedContinuation<Bool, Never>?
    }

    /// The client's settings.
    public let configuration: Configuration
    let context: LineContext
    /// The registrar ``addLine(_:)`` uses, if the client was made with one.
    private let defaultRegistrar: ClientRegistrar?
    private let state = Locked(State())
    /// Deregistrations under way, shutdown's and ``removeLine(_:)``'s together.
    private let deregistrations: Permits

    /// Creates a client whose lines register with `registrar` (``addLine(_:)``); lines of
    /// other registrars may join it with ``addLine(using:_:)``.
    ///
    /// - Parameters:
    ///   - registrar: The backend lines register with (`MobiusRegistrar` from CallingMobius for Webex Calling).
    ///   - configuration: Retry, rehoming and shutdown settings.
    ///   - clock: The clock for every wait; tests pass a manual one.
    ///   - wallClock: The current date, for saved failover progress.
    ///   - random: The source of retry jitter and rehoming windows.
    ///   - failoverProgressStore: Where failover progress is saved across restarts, if anywhere.
    ///   - logger: Where each line's decisions are logged (`debug`): attempts,
    ///     retries scheduled, failover, rehoming, keepalive misses, events.
    public convenience init(
        registrar: any LineRegistrar,
        configuration: Configuration = .defaults,
        clock: some Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        random: RandomSource = .system,
        failoverProgressStore: (any FailoverProgressStore)? = nil,
        logger: CallingLogger = .disabled
    ) {
        self.init(
            registrar: Optional(registrar), configuration: configuration, time: TimeSource(clock: clock, date: wallClock),
            random: random, failoverProgressStore: failoverProgressStore, logger: logger
        )
    }

    /// Creates a client for lines of many registrars, each added with ``addLine(using:_:)``:
    /// a gateway that keeps many users' lines registered.
    ///
    /// - Parameters:
    ///   - configuration: Retry, rehoming and shutdown settings.
    ///   - clock: The clock for every wait; tests pass a manual one.
    ///   - wallClock: The current date, for saved failover progress.
    ///   - random: The source of retry jitter and rehoming windows.
    ///   - failoverProgressStore: Where failover progress is saved across restarts, if anywhere.
    ///   - logger: Where each line's decisions are logged (`debug`).
    public convenience init(
        configuration: Configuration = .defaults,
        clock: some Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        random: RandomSource = .system,
        failoverProgressStore: (any FailoverProgressStore)? = nil,
        logger: CallingLogger = .disabled
    ) {
        self.init(
            registrar: nil, configuration: configuration, time: TimeSource(clock: clock, date: wallClock),
            random: random, failoverProgressStore: failoverProgressStore, logger: logger
        )
    }

    private init(
        registrar: (any LineRegistrar)?,
        configuration: Configuration,
        time: TimeSource,
        random: RandomSource,
        failoverProgressStore: (any FailoverProgressStore)?,
        logger: CallingLogger
    ) {
        self.configuration = configuration
        self.context = LineContext(
            configuration: configuration, time: time, random: random, progressStore: failoverProgressStore, logger: logger
        )
        self.defaultRegistrar = registrar.map(context.use)
        self.deregistrations = Permits(configuration.deregistrationConcurrency)
    }

    /// Discovers the servers lines of the client's registrar will register with.
    /// ``addLine(_:)`` does this on first use; call it first to fail early.
    ///
    /// - Returns: The server lists; none for a client made without a registrar.
    /// - Throws: The registrar's discovery error (``CallingError/Code/discoveryFailed`` for Mobius).
    @discardableResult
    public func start() async throws -> RegistrarServers {
        guard let defaultRegistrar else { return RegistrarServers(primaries: [], backups: []) }
        let servers = try await defaultRegistrar.discover()
        state.withLock { $0.discovered = true }
        return servers
    }

    /// Creates a line of the client's registrar, with a device of its own unless the options
    /// give one.
    ///
    /// - Parameter options: What the app knows about the line.
    /// - Returns: The new, unregistered line.
    /// - Throws: ``CallingError`` with code ``CallingError/Code/shutDown`` when the client is
    ///   shutting down or has stopped, ``CallingError/Code/invalidConfiguration`` for a client
    ///   made without a registrar, the discovery error, or the registrar's error when it cannot
    ///   make a device.
    public func addLine(_ options: LineOptions = LineOptions()) async throws -> Line {
        guard let defaultRegistrar else {
            throw CallingError(
                code: .invalidConfiguration,
                message: "this client was made without a registrar: add lines with addLine(using:_:)"
            )
        }
        try state.withLock { try Self.checkAcceptsLines($0) }
        if !state.withLock(\.discovered) {
            try await start()
        }
        return try await addLine(options, of: defaultRegistrar)
    }

    /// Creates a line that registers with `registrar` (and so with its credentials), beside the
    /// client's other lines: the same scheduler, workers and shutdown serve it.
    ///
    /// Each call discovers `registrar`'s servers for the new line (for Mobius, with the
    /// registrar's own token, as Webex assigns servers per user).
    ///
    /// - Parameters:
    ///   - registrar: The backend the line registers with: a user's `MobiusRegistrar`, a SIP
    ///     account's `SIPRegistrar`, or your own.
    ///   - options: What the app knows about the line.
    /// - Returns: The new, unregistered line.
    /// - Throws: ``CallingError`` with code ``CallingError/Code/shutDown`` when the client is
    ///   shutting down or has stopped, the discovery error, or the registrar's error when it
    ///   cannot make a device.
    public func addLine(using registrar: any LineRegistrar, _ options: LineOptions = LineOptions()) async throws -> Line {
        try state.withLock { try Self.checkAcceptsLines($0) }
        let used = context.use(registrar)
        try await used.discover()
        return try await addLine(options, of: used)
    }

    private func addLine(_ options: LineOptions, of registrar: ClientRegistrar) async throws -> Line {
        let device: LineDevice
        if let given = options.device {
            device = given
        } else {
            device = try await registrar.backend.makeDevice()
        }
        let line = Line(id: .random(), options: options, device: device, context: context, registrar: registrar)
        do {
            try state.withLock { state in
                try Self.checkAcceptsLines(state)
                state.lines[line.id] = line
            }
        } catch {
            await line.stopNow()
            throw error
        }
        return line
    }

    /// Every line, by line id (as the documented `getLines()` returns them).
    public var lines: [UUID: Line] {
        state.withLock(\.lines)
    }

    /// The line with this id, if there is one.
    public func line(id: UUID) -> Line? {
        state.withLock { $0.lines[id] }
    }

    /// Deregisters a line, waits until its registration is removed, finishes its event streams
    /// and forgets it. Long-running servers add and remove lines as their users come and go.
    ///
    /// It waits its turn among the client's deregistrations
    /// (``Configuration/deregistrationConcurrency``) and for at most
    /// ``Configuration/shutdownTimeLimit``; a line still deregistering then is stopped, and
    /// reports what it leaves at the server (``LineError/Code/deregistrationIncomplete``).
    ///
    /// - Parameter line: A line of this client; another client's line is left alone.
    public func removeLine(_ line: Line) async {
        let removed = state.withLock { state in
            guard state.lines[line.id] === line else { return false }
            state.lines[line.id] = nil
            return true
        }
        guard removed else { return }
        await deregister([line])
        await line.stopNow()
    }

    /// Drives keepalives until shutdown: returns after ``beginGracefulShutdown()`` has
    /// deregistered the lines (or its time limit has passed), or at once, without
    /// deregistering, when the calling task is cancelled.
    ///
    /// The scheduler's driver, the wait for shutdown, the shutdown's time limit and the
    /// keepalive workers are all finished before it returns: nothing it starts outlives it.
    ///
    /// - Throws: ``CallingError`` with code ``CallingError/Code/alreadyRunning`` when the client
    ///   runs already or has run.
    public func run() async throws {
        try state.withLock { state in
            guard case .notStarted = state.phase else {
                throw CallingError(code: .alreadyRunning, message: "run() was called twice; a client runs once: create a new client")
            }
            state.phase = .running
        }
        let scheduler = context.scheduler
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            let graceful = await shutdownRequested()
            let lines = state.withLock { state in
                state.phase = .stopping
                return Array(state.lines.values)
            }
            if graceful {
                await deregister(lines)
            }
            for line in lines {
                await line.stopNow()
            }
            group.cancelAll()
        }
        await context.workers.stop()
        state.withLock { $0.phase = .stopped }
    }

    /// Asks the client to deregister every line and stop. Returns at once; safe to call more than
    /// once, and before ``run()`` has started (it is remembered).
    public func beginGracefulShutdown() {
        let waiter = state.withLock { state in
            state.shutdownRequested = true
            defer { state.shutdownWaiter = nil }
            return state.shutdownWaiter
        }
        waiter?.resume(returning: true)
    }

    /// Waits for a shutdown request: true for graceful, false when the task was cancelled.
    private func shutdownRequested() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let requested = state.withLock { state in
                    guard !state.shutdownRequested, !Task.isCancelled else { return true }
                    state.shutdownWaiter = continuation
                    return false
                }
                if requested {
                    continuation.resume(returning: state.withLock(\.shutdownRequested))
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.shutdownWaiter = nil }
                return state.shutdownWaiter
            }
            waiter?.resume(returning: false)
        }
    }

    /// Deregisters `lines`, at most ``Configuration/deregistrationConcurrency`` of the client's
    /// at once, for at most the shutdown time limit. Lines still deregistering then are
    /// stopped, and each reports what it leaves at the server
    /// (``LineError/Code/deregistrationIncomplete``).
    private func deregister(_ lines: [Line]) async {
        let time = context.time
        let limit = configuration.shutdownTimeLimit
        let permits = deregistrations
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { each in
                    for line in lines {
                        guard await permits.acquire() else { break }
                        each.addTask {
                            await line.shutDown()
                            permits.release()
                        }
                    }
                }
                return true
            }
            group.addTask {
                (try? await time.sleep(for: limit)) == nil
            }
            let finished = await group.next() ?? true
            group.cancelAll()
            if !finished {
                for line in lines {
                    await line.stopNow()
                }
            }
        }
    }

    /// Throws unless lines may be added: the client has not begun to stop.
    private static func checkAcceptsLines(_ state: State) throws {
        switch state.phase {
        case .stopping, .stopped:
            throw CallingError(code: .shutDown, message: "the client has stopped; create a new client to add lines")
        case .notStarted, .running:
            if state.shutdownRequested {
                throw CallingError(code: .shutDown, message: "the client is shutting down; create a new client to add lines")
            }
        }
    }
}

/// Runs `client` for the duration of `body`, then shuts it down gracefully.
///
/// Discovers the servers first (so a discovery failure throws before `body` runs), runs the
/// client's keepalives while `body` runs, and when `body` returns or throws, deregisters every
/// line and finishes their event streams before returning. The client runs in a child task:
/// cancelling the caller cancels it, and it stops at once without deregistering. `body` runs
/// in the caller's isolation (on the main actor when called from it).
///
/// ```swift
/// let client = CallingClient(registrar: registrar, failoverProgressStore: store)
/// try await withCallingClient(client) { client in
///     let line = try await client.addLine()
///     try await line.register()
///     try await waitForCtrlC()
/// }
/// ```
///
/// - Parameters:
///   - client: A client that has not run yet.
///   - isolation: Where `body` runs; the caller's by default.
///   - body: Uses the client.
/// - Returns: What `body` returned.
/// - Throws: ``CallingError/Code/alreadyRunning`` for a client that ran before, the discovery
///   error, or what `body` threw.
public func withCallingClient<Result>(
    _ client: CallingClient,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CallingClient) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await client.run() }
        do {
            try await client.start()
            let result = try await body(client)
            client.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            client.beginGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Runs a new client with `registrar` for the duration of `body`; see
/// ``withCallingClient(_:isolation:_:)``, which takes a client made with any of its options.
///
/// - Parameters:
///   - registrar: The backend lines register with.
///   - configuration: Retry, rehoming and shutdown settings.
///   - logger: Where each line's decisions are logged.
///   - isolation: Where `body` runs; the caller's by default.
///   - body: Uses the client.
/// - Returns: What `body` returned.
/// - Throws: The discovery error, or what `body` threw.
public func withCallingClient<Result>(
    registrar: any LineRegistrar,
    configuration: CallingClient.Configuration = .defaults,
    logger: CallingLogger = .disabled,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CallingClient) async throws -> Result
) async throws -> Result {
    try await withCallingClient(CallingClient(registrar: registrar, configuration: configuration, logger: logger), body)
}
