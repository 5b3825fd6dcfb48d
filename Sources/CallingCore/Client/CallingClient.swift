import CallingTransport
import Foundation

/// Registers any number of lines with one registrar and keeps them registered.
///
/// ```swift
/// let registrar = MobiusRegistrar(transport: URLSessionTransport(), tokenProvider: tokenStore)
/// try await withCallingClient(registrar: registrar) { client in
///     let line = try await client.addLine()
///     let events = line.events
///     await line.register()
///     for await event in events { print(event) }
/// }
/// ```
///
/// The client's ``run()`` drives every line's keepalives (one scheduler thread and a few
/// worker tasks); ``withCallingClient(registrar:configuration:logger:_:)`` runs it for you.
/// ``beginGracefulShutdown()`` deregisters every line (within
/// ``Configuration/shutdownTimeLimit``), finishes all event streams and lets `run()` return;
/// cancelling `run()` stops at once without deregistering.
///
/// To run it as a ServiceLifecycle `Service`, forward `run()` and trigger
/// `beginGracefulShutdown()` from the graceful-shutdown handler; see the README.
public final class CallingClient: Sendable {
    private struct State {
        /// An array, not a dictionary by id: a dictionary's buckets cost a line more than all
        /// of its scheduling does. The keyed view is built when asked.
        var lines: [Line] = []
        var discovered = false
        var shutdownRequested = false
        var running = false
        var shutdownWaiter: CheckedContinuation<Bool, Never>?
    }

    /// The client's settings.
    public let configuration: Configuration
    private let context: LineContext
    private let state = Locked(State())

    /// Creates a client.
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
    public init(
        registrar: any LineRegistrar,
        configuration: Configuration = .defaults,
        clock: some Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        random: RandomSource = .system,
        failoverProgressStore: (any FailoverProgressStore)? = nil,
        logger: CallingLogger = .disabled
    ) {
        self.configuration = configuration
        self.context = LineContext(
            registrar: registrar,
            configuration: configuration,
            time: TimeSource(clock: clock, date: wallClock),
            random: random,
            progressStore: failoverProgressStore,
            logger: logger
        )
    }

    /// Discovers the servers lines will register with. ``addLine(_:)`` does this on first use;
    /// call it first to fail early.
    ///
    /// - Returns: The server lists.
    /// - Throws: The registrar's discovery error (``CallingError/Code/discoveryFailed`` for Mobius).
    @discardableResult
    public func start() async throws -> RegistrarServers {
        let servers = try await context.registrar.discoverServers()
        context.servers = servers
        state.withLock { $0.discovered = true }
        return servers
    }

    /// Creates a line, with a device of its own unless the options give one.
    ///
    /// - Parameter options: What the app knows about the line.
    /// - Returns: The new, unregistered line.
    /// - Throws: ``CallingError`` when the client is shutting down or discovery fails, or the
    ///   registrar's error when it cannot make a device.
    public func addLine(_ options: LineOptions = LineOptions()) async throws -> Line {
        try checkNotShutDown()
        if !state.withLock(\.discovered) {
            try await start()
        }
        let device: LineDevice
        if let given = options.device {
            device = given
        } else {
            device = try await context.registrar.makeDevice()
        }
        let line = Line(id: .random(), options: options, device: device, context: context)
        let accepted = state.withLock { state in
            guard !state.shutdownRequested else { return false }
            state.lines.append(line)
            return true
        }
        guard accepted else {
            line.finishEvents()
            throw Self.shutDownError
        }
        return line
    }

    /// Every line, by line id (as the documented `getLines()` returns them).
    public var lines: [UUID: Line] {
        Dictionary(uniqueKeysWithValues: state.withLock(\.lines).map { ($0.id, $0) })
    }

    /// The line with this id, if there is one.
    public func line(id: UUID) -> Line? {
        state.withLock { $0.lines.first { $0.id == id } }
    }

    /// Deregisters a line, waits until its registration is removed, finishes its event streams
    /// and forgets it. Long-running servers add and remove lines as their users come and go.
    ///
    /// - Parameter line: A line of this client; another client's line is left alone.
    public func removeLine(_ line: Line) async {
        let removed = state.withLock { state in
            guard let index = state.lines.firstIndex(where: { $0 === line }) else { return false }
            state.lines.remove(at: index)
            return true
        }
        guard removed else { return }
        await line.shutDown()
        await line.stopNow()
    }

    /// Drives keepalives until shutdown: returns after ``beginGracefulShutdown()`` has
    /// deregistered the lines (or its time limit has passed), or at once, without
    /// deregistering, when the calling task is cancelled.
    ///
    /// The scheduler's driver, the wait for shutdown and the shutdown's time limit are child
    /// tasks of this call: nothing it starts outlives it.
    ///
    /// - Throws: ``CallingError`` with code ``CallingError/Code/alreadyRunning`` when the client
    ///   runs already or has run.
    public func run() async throws {
        let first = state.withLock { state in
            defer { state.running = true }
            return !state.running
        }
        guard first else {
            throw CallingError(code: .alreadyRunning, message: "run() was called twice; a client runs once: create a new client")
        }
        let scheduler = context.scheduler
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            if await shutdownRequested() {
                await deregisterAll()
            }
            for line in state.withLock(\.lines) {
                await line.stopNow()
            }
            group.cancelAll()
        }
        context.workers.stop()
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

    /// Deregisters every line concurrently, for at most the shutdown time limit. Lines still
    /// deregistering then are stopped, and each reports what it leaves at the server
    /// (``LineError/Code/deregistrationIncomplete``).
    private func deregisterAll() async {
        let lines = state.withLock(\.lines)
        let time = context.time
        let limit = configuration.shutdownTimeLimit
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { each in
                    for line in lines {
                        each.addTask { await line.shutDown() }
                    }
                }
                return true
            }
            group.addTask {
                (try? await time.sleep(for: limit)) == nil
            }
            if await group.next() == false {
                for line in lines {
                    await line.stopNow()
                }
            }
            group.cancelAll()
        }
    }

    private func checkNotShutDown() throws {
        if state.withLock(\.shutdownRequested) {
            throw Self.shutDownError
        }
    }

    private static let shutDownError = CallingError(
        code: .shutDown, message: "the client is shutting down; create a new client to add lines"
    )
}

/// Runs a client for the duration of `body`, then shuts it down gracefully.
///
/// Discovers the servers first (so a discovery failure throws before `body` runs), runs the
/// client's keepalives while `body` runs, and when `body` returns or throws, deregisters every
/// line and finishes their event streams before returning. The client runs in a child task:
/// cancelling the caller cancels it, and it stops at once without deregistering.
///
/// - Parameters:
///   - registrar: The backend lines register with.
///   - configuration: Retry, rehoming and shutdown settings.
///   - logger: Where each line's decisions are logged.
///   - body: Uses the client.
/// - Returns: What `body` returned.
/// - Throws: The discovery error, or what `body` threw.
public func withCallingClient<Result: Sendable>(
    registrar: any LineRegistrar,
    configuration: CallingClient.Configuration = .defaults,
    logger: CallingLogger = .disabled,
    _ body: (CallingClient) async throws -> Result
) async throws -> Result {
    let client = CallingClient(registrar: registrar, configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
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
