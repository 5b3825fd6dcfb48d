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
    private let broadcaster: EventBroadcaster
    private let persistenceKey: String

    /// A snapshot of the line: configuration and the current registration's answer.
    ///
    /// Built when asked rather than stored, because it repeats the registration: a stored copy
    /// would cost every line a few hundred bytes for a value apps read rarely.
    public var info: LineInfo {
        let idle = LineInfo(lineID: id, options: LineOptions(phoneNumber: phoneNumber, extension: `extension`, voicemail: voicemail))
        return registration.map { idle.registered($0, onBackup: isOnBackup) } ?? idle
    }

    private let phoneNumber: String?
    private let `extension`: String?
    private let voicemail: String?
    private var registration: LineRegistration?
    private var isOnBackup = false
    private var lastPrimaryRehoming: ClosedRange<Int>?
    private var work: Task<Void, Never>?
    private var workNumber: UInt64 = 0
    private var workIsDeregistration = false
    private var isConnecting = false
    private var isShutDown = false
    private let keepalive: LineKeepalive

    init(id: UUID, options: LineOptions, device: LineDevice, context: LineContext) {
        self.id = id
        self.device = device
        self.context = context
        self.broadcaster = EventBroadcaster(bufferSize: context.configuration.eventBufferSize)
        self.persistenceKey = options.persistenceKey ?? device.deviceURL
        self.phoneNumber = options.phoneNumber
        self.extension = options.extension
        self.voicemail = options.voicemail
        self.keepalive = LineKeepalive(context: context)
    }

    /// The line's events from now on, as a new subscription; see ``LineEvents``.
    public nonisolated var events: LineEvents {
        broadcaster.subscribe()
    }

    /// Starts registering; returns at once. Harmless while registered or registering.
    ///
    /// Emits ``LineEvent/connecting``, then the outcome. If a failover was saved by an earlier
    /// process (see ``FailoverProgressStore``), it resumes there.
    public func register() {
        guard !isShutDown, !isConnecting, registration == nil else { return }
        isConnecting = true
        emit(.connecting)
        replaceWork(.register)
    }

    /// Stops everything the line is doing (retries, failover, rehoming, keepalives) and removes
    /// its registration at the server; returns at once. The line ends ``LineStatus/inactive``.
    public func deregister() {
        keepalive.stop()
        isConnecting = false
        replaceWork(.deregister)
    }

    // MARK: Client lifecycle

    /// Deregisters and refuses further work; returns when the deregistration is done.
    func shutDown() async {
        guard !isShutDown else { return }
        deregister()
        isShutDown = true
        await work?.value
    }

    /// Stops at once without telling the server, then finishes the event streams.
    func stopNow() {
        isShutDown = true
        keepalive.stop()
        work?.cancel()
        finishEvents()
    }

    nonisolated func finishEvents() {
        broadcaster.finish()
    }

    // MARK: Work

    private enum Job {
        case register
        case reconnect(lastServer: RegistrarServer?)
        case registerAfresh
        case deregister
    }

    /// Cancels the current work and runs `job` once it has wound down, so jobs never overlap.
    /// A deregistration under way is never cancelled: its DELETE must reach the server.
    private func replaceWork(_ job: Job) {
        let previous = work
        if !workIsDeregistration {
            previous?.cancel()
        }
        if case .deregister = job {
            workIsDeregistration = true
        } else {
            workIsDeregistration = false
        }
        workNumber += 1
        let number = workNumber
        work = Task {
            await previous?.value
            await perform(job)
            if workNumber == number {
                work = nil
                workIsDeregistration = false
            }
        }
    }

    private func perform(_ job: Job) async {
        switch job {
        case .register:
            defer { isConnecting = false }
            if let progress = await context.progressStore?.load(key: persistenceKey) {
                await context.progressStore?.clear(key: persistenceKey)
                let elapsed = progress.elapsedSeconds + max(0, context.time.date().timeIntervalSince(progress.savedAt))
                await failover(attempt: progress.attempt, elapsed: .seconds(elapsed), retryAfter: nil)
            } else {
                await connectToPrimaries()
            }
        case .reconnect(let lastServer):
            if let lastServer {
                switch await attempt(at: lastServer) {
                case .registered: return await stayRegistered()
                case .stopped: return
                case .failed: break
                }
            }
            await connectToPrimaries()
        case .registerAfresh:
            await connectToPrimaries()
        case .deregister:
            await clearProgress()
            if let current = registration {
                registration = nil
                _ = await context.registrar.deregister(current.device)
                emit(.unregistered)
            }
        }
    }

    // MARK: Registration and failover

    private enum Outcome {
        case registered
        /// A final error was reported, or the work was cancelled.
        case stopped
        case failed(LineError, retryAfter: Duration?)
    }

    /// One registration attempt at one server, resolving a device-limit answer once.
    private func attempt(at server: RegistrarServer, restoringDeviceLimit: Bool = false) async -> Outcome {
        let result = await context.registrar.register(device, at: server)
        switch result.kind {
        case .succeeded(let answer):
            await adopt(answer)
            return .registered
        case .final(let error), .deviceNotFound(let error):
            await stop(with: error)
            return .stopped
        case .retryable(let error, let retryAfter):
            emit(.unregistered)
            return Task.isCancelled ? .stopped : .failed(error, retryAfter: retryAfter)
        case .deviceLimit(let existing, let error):
            guard !restoringDeviceLimit else {
                emit(.unregistered)
                return .failed(error, retryAfter: nil)
            }
            _ = await context.registrar.deregister(existing)
            emit(.unregistered)
            guard !Task.isCancelled else { return .stopped }
            return await attempt(at: existing.server, restoringDeviceLimit: true)
        }
    }

    /// Each server in order until one accepts; the last failure otherwise.
    private func attemptEach(_ servers: [RegistrarServer]) async -> Outcome {
        var outcome = Outcome.failed(
            LineError(code: .serviceUnavailable, message: "there are no servers to register with"), retryAfter: nil
        )
        for server in servers {
            outcome = await attempt(at: server)
            guard case .failed = outcome, !Task.isCancelled else { break }
        }
        if case .failed = outcome, Task.isCancelled {
            return .stopped
        }
        return outcome
    }

    private func connectToPrimaries() async {
        switch await attemptEach(context.servers.primaries) {
        case .registered: await stayRegistered()
        case .stopped: return
        case .failed(_, let retryAfter): await failover(attempt: 1, elapsed: .zero, retryAfter: retryAfter)
        }
    }

    /// Retries the primaries with backoff within the primary budget, then the backups.
    private func failover(attempt firstAttempt: Int, elapsed: Duration, retryAfter firstRetryAfter: Duration?) async {
        let policy = context.configuration.retryPolicy
        let start = context.time.now() - elapsed
        var attempt = firstAttempt
        var retryAfter = firstRetryAfter
        while true {
            let elapsed = context.time.now() - start
            var wait = min(context.retryInterval(attempt: attempt), policy.primaryBudget - elapsed)
            var straightToBackups = false
            if let retryAfter, wait < retryAfter {
                straightToBackups = elapsed + retryAfter > policy.primaryBudget
            }
            guard wait > policy.base, !straightToBackups else { break }
            wait = max(wait, retryAfter ?? .zero)
            await saveProgress(attempt: attempt, elapsed: elapsed, onBackups: false)
            guard await sleep(for: wait) else { return }
            switch await attemptEach(context.servers.primaries) {
            case .registered: return await stayRegistered()
            case .stopped: return
            case .failed(_, let next): retryAfter = next
            }
            attempt += 1
        }
        await failoverToBackups(elapsed: context.time.now() - start, attempt: attempt)
    }

    /// Tries the backups, once more after the first retry interval, then gives up.
    private func failoverToBackups(elapsed: Duration, attempt: Int) async {
        await saveProgress(attempt: attempt, elapsed: elapsed, onBackups: true)
        var retryAfter: Duration?
        for round in 0..<2 {
            if round == 1 {
                guard await sleep(for: max(context.retryInterval(attempt: 1), retryAfter ?? .zero)) else { return }
            }
            switch await attemptEach(context.servers.backups) {
            case .registered: return await stayRegistered()
            case .stopped: return
            case .failed(_, let next): retryAfter = next
            }
        }
        await stop(with: LineError(
            code: .serviceUnavailable,
            message: "every primary and backup server failed; registration stopped: call register() to try again"
        ))
    }

    /// While on a backup, waits a rehoming window, and moves back to a primary that answers a ping.
    private func stayRegistered() async {
        var failback429Retries = 0
        var nextWait: Duration?
        while let current = registration, isOnBackup {
            let wait = nextWait ?? rehomingWindow()
            nextWait = nil
            guard await sleep(for: wait) else { return }
            var primaryUp = false
            for primary in context.servers.primaries where await context.registrar.ping(primary) {
                primaryUp = true
                break
            }
            guard !Task.isCancelled else { return }
            guard primaryUp else { continue }

            keepalive.stop()
            registration = nil
            _ = await context.registrar.deregister(current.device)
            emit(.unregistered)
            switch await attemptEach(context.servers.primaries) {
            case .registered, .stopped:
                return
            case .failed(let error, _):
                if error.code == .tooManyRequests, failback429Retries < context.configuration.failback429MaxRetries {
                    failback429Retries += 1
                    nextWait = context.retryInterval(attempt: failback429Retries)
                }
            }
            switch await attempt(at: current.device.server) {
            case .registered: continue
            case .stopped: return
            case .failed(_, let retryAfter): return await failover(attempt: 1, elapsed: .zero, retryAfter: retryAfter)
            }
        }
    }

    private func rehomingWindow() -> Duration {
        let minutes = context.random.next(in: lastPrimaryRehoming ?? context.configuration.rehomingWindowMinutes)
        return .seconds(60 * minutes)
    }

    /// Takes a registration: remembers it, starts keepalives, tells the app.
    private func adopt(_ answer: LineRegistration) async {
        let onBackup = !context.servers.primaries.contains(answer.device.server)
        if !onBackup, let low = answer.rehomingIntervalMin, let high = answer.rehomingIntervalMax, 0 < low, low <= high {
            lastPrimaryRehoming = low...high
        }
        registration = answer
        isOnBackup = onBackup
        keepalive.start(answer, of: self)
        await clearProgress()
        emit(.registered(info))
    }

    /// Reports a final error; the line stays unregistered until `register()`.
    private func stop(with error: LineError) async {
        keepalive.stop()
        registration = nil
        await clearProgress()
        emit(.error(error))
    }

    /// Sleeps on the client's clock; false when the work was cancelled.
    private func sleep(for duration: Duration) async -> Bool {
        do {
            try await context.time.sleep(for: duration)
            return !Task.isCancelled
        } catch {
            return false
        }
    }

    private func saveProgress(attempt: Int, elapsed: Duration, onBackups: Bool) async {
        let progress = FailoverProgress(
            attempt: attempt, elapsedSeconds: elapsed.timeInterval, savedAt: context.time.date(), onBackups: onBackups
        )
        await context.progressStore?.save(progress, key: persistenceKey)
    }

    private func clearProgress() async {
        await context.progressStore?.clear(key: persistenceKey)
    }

    // MARK: Keepalives

    /// Acts on what the keepalives report (a report from a run since replaced is ignored).
    func keepaliveReport(_ report: KeepaliveReport, run: UInt64) {
        guard keepalive.isCurrent(run) else { return }
        switch report {
        case .missed:
            emit(.reconnecting)
        case .recovered:
            emit(.reconnected)
        case .gaveUp:
            let lastServer = registration?.device.server
            dropRegistration()
            emit(.unregistered)
            replaceWork(.reconnect(lastServer: lastServer))
        case .final(let error):
            dropRegistration()
            emit(.error(error))
            emit(.unregistered)
        case .notFound(let error):
            dropRegistration()
            emit(.error(error))
            emit(.unregistered)
            replaceWork(.registerAfresh)
        }
    }

    private func dropRegistration() {
        keepalive.stop()
        registration = nil
    }

    private func emit(_ event: LineEvent) {
        broadcaster.emit(event)
    }
}

extension Line: KeepaliveTarget {
    /// Hands the scheduler's fire to the line's keepalives (see ``LineKeepalive``).
    package nonisolated func keepaliveDue(deadline: Duration) {
        keepalive.keepaliveDue(of: self)
    }
}
