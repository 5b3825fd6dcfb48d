import CallingTransport
import Foundation

/// One phone line: registers, stays registered through failures, and reports what happens.
///
/// ``register()`` and ``deregister()`` only start the work and return at once; subscribe to
/// ``events`` (before registering, to see every event) to learn the outcome. The line then:
/// - tries the primary servers, retries them with backoff (`30 s + 2ⁿ s + jitter`) within the
///   primary budget, moves to the backups, and reports `service_unavailable` if all fail;
/// - resolves a device-limit answer by removing the listed device and registering again there;
/// - sends keepalives through the client's scheduler (never two at once; one slower than the
///   interval counts as a miss), reconnects after too many misses, registers afresh when the
///   server forgets it, and pauses when asked to slow down;
/// - on a backup, tries to move back to a primary after a random rehoming window.
///
/// A line belongs to a ``CallingClient``; make one with ``CallingClient/addLine(_:)``.
public actor Line {
    /// The line's client-side id.
    public nonisolated let id: UUID
    /// The device the line registers as.
    public nonisolated let device: LineDevice

    private let context: LineContext
    private let registrar: ClientRegistrar
    private let broadcaster: EventBroadcaster
    private let persistenceKey: String
    private let keepalive: LineKeepalive
    private let phoneNumber: String?
    private let `extension`: String?
    private let voicemail: String?
    /// Every decision; this actor only carries out its actions and feeds the outcomes back.
    private var machine = LineStateMachine()
    private var isHandling = false
    /// Set once the client shuts the line down or removes it: it registers no more.
    private var isClosed = false
    /// What the line waits for, while it waits for anything: most lines, registered and
    /// quiet, pay one reference for it.
    private var busy: Busy?

    /// The line's waiting: a class held only by this actor, made when first needed and dropped
    /// when empty.
    private final class Busy {
        /// Inputs that arrived while an earlier one's actions were still being carried out:
        /// they wait their turn (with their caller), so the machine sees every input in order
        /// and is never re-entered half-way through an input.
        var inbox: [(input: LineStateMachine.Input, caller: CheckedContinuation<Void, Never>?)] = []
        /// The operation or deadline the machine waits for (at most one), by its ticket. Let go
        /// of once it answers: a finished task kept would cost the line kilobytes.
        var pending: (ticket: LineStateMachine.Ticket, awaiting: Awaiting)?
        /// Callers of `shutDown()` waiting for the line to settle.
        var settleWaiters: [CheckedContinuation<Void, Never>] = []

        var isEmpty: Bool { inbox.isEmpty && pending == nil && settleWaiters.isEmpty }
    }

    /// What a pending ticket waits for: an operation's task, or a deadline in the client's
    /// scheduler (a retry, failover or rehoming wait costs an entry there, not a task).
    private enum Awaiting {
        case operation(Task<Void, Never>)
        case deadline(KeepaliveScheduler.Handle)
    }

    init(id: UUID, options: LineOptions, device: LineDevice, context: LineContext, registrar: ClientRegistrar) {
        self.id = id
        self.device = device
        self.context = context
        self.registrar = registrar
        self.broadcaster = EventBroadcaster(bufferSize: context.configuration.eventBufferSize)
        self.persistenceKey = options.persistenceKey
            ?? (options.phoneNumber ?? options.extension).map { "\(device.userID)/\($0)" }
            ?? device.deviceURL
        self.keepalive = LineKeepalive(context: context, registrar: registrar)
        self.phoneNumber = options.phoneNumber
        self.extension = options.extension
        self.voicemail = options.voicemail
    }

    /// A snapshot of the line: configuration and the current registration's answer, with
    /// `lastSeen` moved on to the last successful keepalive.
    public var info: LineInfo {
        var info = machine.info(of: idleInfo)
        if info.status == .active, let seen = keepalive.lastSucceeded {
            info.lastSeen = context.time.date() - (context.time.now() - seen).timeInterval
        }
        return info
    }

    /// The line unregistered: its id and the app's options.
    private var idleInfo: LineInfo {
        LineInfo(lineID: id, options: LineOptions(phoneNumber: phoneNumber, extension: `extension`, voicemail: voicemail))
    }

    /// The line's status: ``LineStatus/inactive`` at first and while (re)trying,
    /// ``LineStatus/active`` while registered, ``LineStatus/idle`` after ``deregister()``.
    public var status: LineStatus {
        machine.status
    }

    /// Whether the line stopped with a final error (``LineEvent/error(_:)``) and does nothing
    /// until ``register()``. A line that reports an error but goes on (the server forgot its
    /// registration, so it registers afresh) has not stopped.
    public var isStopped: Bool {
        machine.isStopped
    }

    /// The line's events from now on, as a new subscription; see ``LineEvents``.
    public nonisolated var events: LineEvents {
        broadcaster.subscribe()
    }

    /// Starts registering; returns at once. Harmless while registered or registering; after a
    /// ``deregister()`` still under way, registration starts once it is done.
    ///
    /// Emits ``LineEvent/connecting`` (once per call, also while registered or registering),
    /// then the outcome. If a failover was saved by an earlier
    /// process (see ``FailoverProgressStore``), it resumes there.
    ///
    /// - Throws: ``CallingError`` with code ``CallingError/Code/shutDown`` when the line's
    ///   client is shutting down or has stopped, or the line was removed: nothing would keep
    ///   the registration alive.
    public func register() async throws {
        guard !isClosed else {
            throw CallingError(
                code: .shutDown, message: "line \(id) was removed or its client has stopped; add a new line to a running client"
            )
        }
        await handle(.register)
    }

    /// Stops everything the line is doing (retries, failover, rehoming, keepalives) and removes
    /// its registration at the server; returns at once. A registration attempt under way is
    /// waited for, and undone if it succeeded. Each call ends with one
    /// ``LineEvent/unregistered(_:)``, and the line ends ``LineStatus/inactive``.
    public func deregister() async {
        await handle(.deregister)
    }

    // MARK: Client lifecycle

    /// Deregisters and refuses further work; returns once nothing is left at the server, or
    /// when ``stopNow()`` cuts it short.
    func shutDown() async {
        isClosed = true
        await handle(.shutdown)
        guard !machine.isSettled else { return }
        await withCheckedContinuation { waiting.settleWaiters.append($0) }
    }

    /// Stops at once without telling the server (reporting what it leaves there), then
    /// finishes the event streams.
    func stopNow() async {
        isClosed = true
        await handle(.stopNow)
        cancelPending()
        resumeSettleWaiters()
        finishEvents()
    }

    nonisolated func finishEvents() {
        broadcaster.finish()
    }

    // MARK: Carrying out the machine's actions

    /// Feeds `input` to the machine and carries out its actions; returns once that is done.
    private func handle(_ input: LineStateMachine.Input) async {
        guard !isHandling else {
            await withCheckedContinuation { waiting.inbox.append((input, $0)) }
            return
        }
        isHandling = true
        var next: (input: LineStateMachine.Input, caller: CheckedContinuation<Void, Never>?)? = (input, nil)
        while let (current, caller) = next {
            let environment = LineStateMachine.Environment(
                now: context.time.now(), servers: registrar.servers, policy: registrar.policy, line: idleInfo,
                draws: LineStateMachine.Draws(for: machine, policy: registrar.policy, from: context.random)
            )
            var answer: LineStateMachine.Input?
            for action in machine.handle(current, in: environment) {
                answer = await perform(action) ?? answer
            }
            caller?.resume()
            if let answer {
                next = (answer, nil)
            } else {
                next = busy?.inbox.isEmpty == false ? busy?.inbox.removeFirst() : nil
            }
        }
        isHandling = false
        if machine.isSettled {
            resumeSettleWaiters()
        }
        if busy?.isEmpty == true {
            busy = nil
        }
    }

    /// The waiting state, made when first needed.
    private var waiting: Busy {
        if let busy {
            return busy
        }
        let made = Busy()
        busy = made
        return made
    }

    /// Carries out one action; returns its answer when it has one at once (the saved progress).
    private func perform(_ action: LineStateMachine.Action) async -> LineStateMachine.Input? {
        log(action)
        let backend = registrar.backend
        switch action {
        case .emit(let event):
            broadcaster.emit(event)
        case .attempt(let server, let ticket):
            let device = device
            start(ticket) { .attemptFinished(await backend.register(device, at: server), ticket) }
        case .delete(let registered, let ticket):
            start(ticket) { .deleteFinished(await backend.deregister(registered), ticket) }
        case .ping(let servers, let ticket):
            let device = device
            start(ticket) {
                for server in servers where await backend.ping(server, as: device) {
                    return .pingFinished(up: true, ticket)
                }
                return .pingFinished(up: false, ticket)
            }
        case .sleep(let deadline, let ticket):
            if !machine.isShutDown {
                waiting.pending = (ticket, .deadline(context.scheduler.scheduleOnce(self, at: deadline)))
            }
        case .cancelWaiting:
            cancelPending()
        case .startKeepalives(let registration):
            if !machine.isShutDown {
                keepalive.start(registration, of: self)
            }
        case .stopKeepalives:
            keepalive.stop()
        case .pauseKeepalives(let deadline):
            keepalive.pause(until: deadline)
        case .loadProgress:
            let saved = await context.progressStore?.load(key: persistenceKey)
            return .progressLoaded(saved.map { LineStateMachine.Progress(resuming: $0, at: context.time.date(), budget: registrar.policy.retryPolicy.primaryBudget) })
        case .saveProgress(let progress):
            let record = FailoverProgress(
                attempt: progress.attempt, elapsedSeconds: progress.elapsed.timeInterval,
                savedAt: context.time.date(), onBackups: progress.onBackups
            )
            await context.progressStore?.save(record, key: persistenceKey)
        case .clearProgress:
            await context.progressStore?.clear(key: persistenceKey)
        }
        return nil
    }

    /// Runs an operation whose outcome is the machine's next input. Nothing starts once the
    /// line has stopped.
    private func start(_ ticket: LineStateMachine.Ticket, _ operation: @escaping @Sendable () async -> LineStateMachine.Input) {
        guard !machine.isShutDown else { return }
        let task = Task {
            let outcome = await operation()
            await finished(ticket, outcome)
        }
        waiting.pending = (ticket, .operation(task))
    }

    private func finished(_ ticket: LineStateMachine.Ticket, _ outcome: LineStateMachine.Input) async {
        if busy?.pending?.ticket == ticket {
            busy?.pending = nil
        }
        await handle(outcome)
    }

    /// The scheduler's deadline `handle` has come: the machine hears of it if it still waits
    /// for that deadline (a cancelled one may fire once more as it is cancelled).
    private func deadlineFired(_ handle: KeepaliveScheduler.Handle) async {
        guard let (ticket, awaiting) = busy?.pending, case .deadline(handle) = awaiting else { return }
        busy?.pending = nil
        await self.handle(.timerFired(ticket))
    }

    private func cancelPending() {
        switch busy?.pending?.awaiting {
        case .operation(let task): task.cancel()
        case .deadline(let handle): context.scheduler.cancel(handle)
        case nil: break
        }
        busy?.pending = nil
    }

    /// Logs the decisions worth seeing: attempts, timers, rehoming pings, removals, pauses, events.
    private func log(_ action: LineStateMachine.Action) {
        let logger = context.logger
        guard logger.isEnabled(.debug) else { return }
        var metadata = ["line": id.uuidString, "activity": machine.activity]
        switch action {
        case .attempt(let server, _):
            metadata["server"] = server.url.absoluteString
            logger.debug("registration attempt", metadata: metadata)
        case .delete(let registered, _):
            metadata["server"] = registered.server.url.absoluteString
            logger.debug("removing a registration", metadata: metadata)
        case .ping(let servers, _):
            metadata["servers"] = servers.map(\.url.absoluteString).joined(separator: " ")
            logger.debug("pinging the primaries to rehome", metadata: metadata)
        case .sleep(let deadline, _):
            metadata["inSeconds"] = String((deadline - context.time.now()).timeInterval.rounded())
            logger.debug(machine.status == .active ? "rehoming check scheduled" : "retry scheduled", metadata: metadata)
        case .pauseKeepalives(let deadline):
            metadata["inSeconds"] = String((deadline - context.time.now()).timeInterval.rounded())
            logger.debug("keepalives paused: the server asked to slow down", metadata: metadata)
        case .emit(let event):
            metadata["event"] = event.name
            if let error = event.cause {
                metadata["error"] = error.code.description
                metadata["detail"] = error.detail
            }
            logger.debug("line event", metadata: metadata)
        case .cancelWaiting, .startKeepalives, .stopKeepalives, .loadProgress, .saveProgress, .clearProgress:
            break
        }
    }

    private func resumeSettleWaiters() {
        let waiters = busy?.settleWaiters ?? []
        busy?.settleWaiters = []
        waiters.forEach { $0.resume() }
    }

    // MARK: Keepalives

    /// A keepalive answer that needs a decision, from run `run` of the keepalives (a report
    /// from a run since stopped is dropped).
    func keepaliveFinished(_ result: RegistrarResult<Void>, run: UInt32) async {
        guard keepalive.isCurrent(run) else { return }
        // A miss is a failure that counts towards the limit; the others (final, 404, a 429's pause)
        // show in the actions and events they lead to.
        switch result.kind {
        case .retryable(let error, nil), .deviceLimit(_, let error):
            context.logger.debug(
                "keepalive missed",
                metadata: [
                    "line": id.uuidString, "error": error.code.description, "detail": error.detail,
                    "missesBefore": String(machine.keepaliveMisses), "missLimit": String(registrar.policy.keepaliveMissLimit),
                ]
            )
        case .succeeded, .retryable, .final, .deviceNotFound:
            break
        }
        await handle(.keepaliveFinished(result))
    }
}

extension Line: SchedulerTarget {
    /// Hands the scheduler's fire to the line's keepalives (see ``LineKeepalive``).
    package nonisolated func keepaliveDue(deadline: Duration) {
        keepalive.keepaliveDue(of: self, deadline: deadline)
    }

    /// The deadline the line waited for has come; the line decides on its own executor.
    package nonisolated func deadlineReached(_ handle: KeepaliveScheduler.Handle) {
        Task { await deadlineFired(handle) }
    }
}
