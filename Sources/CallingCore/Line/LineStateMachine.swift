import CallingTransport
import Foundation

/// Every decision of one line's life, as a value: inputs in, actions out.
///
/// The machine never waits, reads a clock or touches the network: the current instant, the
/// client's server lists and policy, and the line's identity come with each input as an
/// ``Environment`` (so a line stores only what the machine decided), and what it wants done
/// (an attempt, a DELETE, a timer, an event) comes back as ``Action``s for the ``Line`` actor to
/// carry out. The outcome of each action is fed back as the next input. So the whole policy
/// (retries with backoff, failover to backups, the device limit, keepalive misses, rehoming,
/// deregistration and shutdown) is tested table by table without tasks or time, and a line is
/// in exactly one state at once.
///
/// At most one thing is awaited at a time (a registrar operation or a timer), named by a
/// ``Ticket``; an answer with another ticket is stale and ignored. Keepalives run on their own
/// (``LineKeepalive``) and report only what needs a decision. The inputs, actions and
/// environment are in `LineStateMachine+Interface.swift`.
package struct LineStateMachine: Sendable {
    private enum State {
        /// Not registered, nothing under way: before the first registration (`inactive`), or
        /// after the app deregistered (`idle`).
        case idle(deregistered: Bool)
        indirect case stopped(LineError)
        indirect case connecting(Connecting)
        case registered(Registered)
        indirect case deregistering(Deregistering)
        case shutDown
    }

    /// Trying servers: the plan says where in the failover, the round which servers are left.
    private struct Connecting {
        var plan: Plan
        var remaining: ArraySlice<RegistrarServer> = []
        var round = Round()
        var step: Step
    }

    private enum Plan {
        /// The primaries; `attempt` counts the retry rounds made since the failover began at `start`.
        case primaries(attempt: Int, start: Duration)
        /// The backups: round 0, then once more after `interval(1)`.
        case backups(round: Int)
        /// Moving back from `backup` to a primary that answered a ping.
        case failback(backup: RegistrarServer, retries: UInt16)
        /// The primaries refused the failback: register on the backup again.
        case returnToBackup(retries: UInt16, nextWindow: Duration?)
    }

    /// What one round of attempts has learnt.
    private struct Round {
        /// The longest Retry-After any server of the round asked for: it raises the wait before the next round.
        var retryAfter: Duration?
        var sawTooManyRequests = false

        mutating func note(_ error: LineError, retryAfter: Duration?) {
            if let retryAfter {
                self.retryAfter = max(self.retryAfter ?? .zero, InboundLimits.wait(retryAfter))
            }
            if error.code == .tooManyRequests {
                sawTooManyRequests = true
            }
        }
    }

    private enum Step {
        case loadingProgress
        case attempting(RegistrarServer, restoringDeviceLimit: Bool)
        /// Device limit: removing the device the server listed, to register in its place.
        case removingListed(RegisteredDevice, LineError)
        /// Failback: removing the backup registration before trying the primaries.
        case leavingBackup(RegisteredDevice)
        case waiting

        var isWaiting: Bool {
            if case .waiting = self { return true }
            return false
        }
    }

    /// Kept small: a registered line holds this for as long as it is registered.
    private struct Registered {
        var registration: LineRegistration
        var onBackup: Bool
        var misses: UInt16 = 0
        var rehoming = Rehoming.none
        var failback429Retries: UInt16 = 0
    }

    private enum Rehoming: UInt8 {
        case none
        case window
        case pinging
    }

    /// Waiting for what is at the server to be known and removed before going idle.
    private struct Deregistering {
        enum InFlight {
            case attempt(RegistrarServer)
            case delete(RegisteredDevice)
        }

        var inFlight: InFlight
        /// `deregister()` calls, each owed one `unregistered`.
        var calls: Int
        var then: After
    }

    private enum After {
        case idle
        case register
        case shutDown
    }

    private var state = State.idle(deregistered: false)
    private var ticketCount: UInt32 = 0
    /// The rehoming window (minutes) the last primary registration gave.
    private var lastPrimaryRehoming: (low: UInt16, high: UInt16)?
    private var progressSaved = false

    /// A line that has not registered yet.
    package init() {}

    /// The line as the app sees it: `unregistered` (its id and options) with the status and,
    /// while registered, the registration.
    package func info(of unregistered: LineInfo) -> LineInfo {
        guard case .registered(let registered) = state else {
            var info = unregistered
            info.status = status
            return info
        }
        return unregistered.registered(registered.registration, onBackup: registered.onBackup)
    }

    /// As the reference client reports it: `inactive` at first and while (re)trying, `active`
    /// while registered, `idle` once the app (or a shutdown) has deregistered it.
    package var status: LineStatus {
        switch state {
        case .idle(let deregistered): deregistered ? .idle : .inactive
        case .registered: .active
        case .shutDown: .idle
        case .stopped, .connecting, .deregistering: .inactive
        }
    }

    /// Whether the line has shut down: it does nothing more.
    package var isShutDown: Bool {
        if case .shutDown = state { return true }
        return false
    }

    /// Whether the line stopped with a final error and waits for `register()`.
    package var isStopped: Bool {
        if case .stopped = state { return true }
        return false
    }

    /// Whether nothing is registered or under way: idle, stopped, or shut down.
    package var isSettled: Bool {
        switch state {
        case .idle, .stopped, .shutDown: true
        case .connecting, .registered, .deregistering: false
        }
    }

    /// What the line is doing, in a few words, for logs: for example "retrying the primaries".
    package var activity: String {
        switch state {
        case .idle(let deregistered): deregistered ? "deregistered" : "not registered"
        case .stopped: "stopped"
        case .connecting(let connecting):
            switch connecting.plan {
            case .primaries(attempt: 0, _): "registering with the primaries"
            case .primaries: "retrying the primaries"
            case .backups: "failing over to the backups"
            case .failback: "rehoming to a primary"
            case .returnToBackup: "returning to the backup"
            }
        case .registered(let registered):
            switch (registered.onBackup, registered.rehoming) {
            case (false, _): "registered"
            case (true, .pinging): "registered on a backup, pinging the primaries"
            case (true, _): "registered on a backup"
            }
        case .deregistering: "deregistering"
        case .shutDown: "shut down"
        }
    }

    /// The rehoming window in force, in minutes: the last primary registration's, or the
    /// policy's.
    package func rehomingWindowMinutes(_ policy: Policy) -> ClosedRange<Int> {
        lastPrimaryRehoming.map { Int($0.low)...Int($0.high) } ?? policy.rehomingWindowMinutes
    }

    /// Keepalives missed in a row while registered.
    package var keepaliveMisses: Int {
        guard case .registered(let registered) = state else { return 0 }
        return Int(registered.misses)
    }

    /// Feeds one input to the machine.
    ///
    /// - Returns: What to do, in order.
    package mutating func handle(_ input: Input, in environment: Environment) -> [Action] {
        // The transition takes the machine over (no second reference, so nothing it changes
        // is copied) and hands it back.
        var transition = Transition(machine: consume self, environment: environment)
        let actions = transition.handle(input)
        self = transition.machine
        return actions
    }

    /// One input's worth of decisions: the machine's own state, and the environment to read.
    private struct Transition {
        var machine: LineStateMachine
        let environment: Environment

        var state: State {
            get { machine.state }
            set { machine.state = newValue }
        }
        var ticketCount: UInt32 {
            get { machine.ticketCount }
            set { machine.ticketCount = newValue }
        }
        var lastPrimaryRehoming: (low: UInt16, high: UInt16)? {
            get { machine.lastPrimaryRehoming }
            set { machine.lastPrimaryRehoming = newValue }
        }
        var progressSaved: Bool {
            get { machine.progressSaved }
            set { machine.progressSaved = newValue }
        }
        var servers: RegistrarServers { environment.servers }
        var policy: Policy { environment.policy }
        var info: LineInfo { machine.info(of: environment.line) }

        mutating func handle(_ input: Input) -> [Action] {
            let now = environment.now
            return switch input {
            case .register: register()
            case .deregister: deregister(calls: 1, then: .idle)
            case .shutdown: shutdown()
            case .stopNow: stopNow()
            case .progressLoaded(let progress): progressLoaded(progress, now: now)
            case .attemptFinished(let result, let ticket): attemptFinished(result, ticket: ticket, now: now)
            case .deleteFinished(let result, let ticket): deleteFinished(result, ticket: ticket, now: now)
            case .pingFinished(let up, let ticket): pingFinished(up: up, ticket: ticket, now: now)
            case .timerFired(let ticket): timerFired(ticket: ticket, now: now)
            case .keepaliveFinished(let result): keepaliveFinished(result, now: now)
            }
        }

        // MARK: The app's requests

        /// `connecting` once per call, as the reference client does, whatever the line is doing.
        private mutating func register() -> [Action] {
            switch state {
            case .idle, .stopped:
                var actions: [Action] = [.emit(.connecting)]
                actions += startRegistration()
                return actions
            case .deregistering(var deregistering):
                if case .shutDown = deregistering.then { return [] }
                deregistering.then = .register
                state = .deregistering(deregistering)
                return [.emit(.connecting)]
            case .connecting, .registered:
                return [.emit(.connecting)]
            case .shutDown:
                return []
            }
        }

        private mutating func startRegistration() -> [Action] {
            state = .connecting(Connecting(plan: .primaries(attempt: 0, start: .zero), step: .loadingProgress))
            return policy.remembersProgress ? [.loadProgress] : progressLoaded(nil, now: environment.now)
        }

        /// Ends whatever the line is doing; the `calls` owed `unregistered` events go out once
        /// nothing is left at the server.
        private mutating func deregister(calls: Int, then: After) -> [Action] {
            switch state {
            case .idle, .stopped:
                return settle(calls: calls, then: then)
            case .shutDown:
                return []
            case .deregistering(var deregistering):
                deregistering.calls += calls
                if case .shutDown = deregistering.then {} else { deregistering.then = then }
                state = .deregistering(deregistering)
                return []
            case .registered(let registered):
                var actions: [Action] = [.stopKeepalives]
                if registered.rehoming != .none {
                    actions.append(.cancelWaiting)
                }
                state = .deregistering(Deregistering(inFlight: .delete(registered.registration.device), calls: calls, then: then))
                return actions + [.delete(registered.registration.device, nextTicket())]
            case .connecting(let connecting):
                // A shutdown keeps the failover's progress: the next process resumes it.
                let clear: [Action]
                if case .shutDown = then { clear = [] } else { clear = clearProgress() }
                switch connecting.step {
                case .attempting(let server, _):
                    state = .deregistering(Deregistering(inFlight: .attempt(server), calls: calls, then: then))
                    return clear
                case .removingListed(let device, _), .leavingBackup(let device):
                    state = .deregistering(Deregistering(inFlight: .delete(device), calls: calls, then: then))
                    return clear
                case .waiting, .loadingProgress:
                    let cancel: [Action] = connecting.step.isWaiting ? [.cancelWaiting] : []
                    return cancel + clear + settle(calls: calls, then: then)
                }
            }
        }

        private mutating func shutdown() -> [Action] {
            switch state {
            case .idle, .stopped:
                state = .shutDown
                return []
            case .deregistering(var deregistering):
                deregistering.then = .shutDown
                state = .deregistering(deregistering)
                return []
            case .connecting, .registered, .shutDown:
                return deregister(calls: 1, then: .shutDown)
            }
        }

        private mutating func stopNow() -> [Action] {
            var actions: [Action] = []
            switch state {
            case .idle, .stopped, .shutDown:
                break
            case .registered(let registered):
                actions = [.stopKeepalives, .cancelWaiting, .emit(.error(Self.incomplete(.delete(registered.registration.device))))]
            case .connecting(let connecting):
                actions = [.cancelWaiting]
                switch connecting.step {
                case .attempting(let server, _):
                    actions.append(.emit(.error(Self.incomplete(.attempt(server)))))
                case .removingListed(let device, _), .leavingBackup(let device):
                    actions.append(.emit(.error(Self.incomplete(.delete(device)))))
                case .waiting, .loadingProgress:
                    break
                }
            case .deregistering(let deregistering):
                actions = [.emit(.error(Self.incomplete(deregistering.inFlight)))]
            }
            state = .shutDown
            return actions
        }

        /// The documented "Device limit exceeded" error: the server's 403/101, with why it could
        /// not be resolved.
        private static func deviceLimitExceeded(_ error: LineError, _ why: String) -> LineError {
            var exceeded = error
            exceeded.code = .deviceLimitExceeded
            exceeded.detail = "\(why); log the user out of another device, then call register() again"
            return exceeded
        }

        /// What a stop leaves at the server: a registration, or an attempt that may have made one.
        private static func incomplete(_ left: Deregistering.InFlight) -> LineError {
            let what = switch left {
            case .attempt(let server): "a registration attempt at \(host(server)) had not answered"
            case .delete(let device): "device \(device.deviceID) stays registered at \(host(device.server))"
            }
            return LineError(
                code: .deregistrationIncomplete,
                detail: "stopped before the line's registration was removed: \(what); the server forgets it once its keepalives stop"
            )
        }

        private static func host(_ server: RegistrarServer) -> String {
            server.url.host ?? server.description
        }

        /// Nothing is left at the server: answer the `deregister()` calls and go on.
        private mutating func settle(calls: Int, then: After) -> [Action] {
            let events = [Action](repeating: .emit(.unregistered(nil)), count: calls)
            switch then {
            case .idle:
                state = .idle(deregistered: true)
                return events
            case .shutDown:
                state = .shutDown
                return events
            case .register:
                return events + startRegistration()
            }
        }

        // MARK: Registration rounds

        private mutating func progressLoaded(_ progress: Progress?, now: Duration) -> [Action] {
            guard case .connecting(var connecting) = state, case .loadingProgress = connecting.step else { return [] }
            guard let progress else {
                connecting.plan = .primaries(attempt: 0, start: now)
                return startRound(servers.primaries, connecting, now: now)
            }
            progressSaved = true
            if progress.onBackups {
                return startBackups(Progress(attempt: progress.attempt, elapsed: progress.elapsed, onBackups: true), connecting, now: now)
            }
            connecting.plan = .primaries(attempt: progress.attempt - 1, start: now - progress.elapsed)
            return roundFailed(connecting, now: now)
        }

        private mutating func startRound(_ servers: [RegistrarServer], _ connecting: Connecting, now: Duration) -> [Action] {
            var connecting = connecting
            connecting.remaining = servers[...]
            connecting.round = Round()
            return nextAttempt(connecting, now: now)
        }

        /// The next server of the round, or the round's end.
        private mutating func nextAttempt(_ connecting: Connecting, now: Duration) -> [Action] {
            var connecting = connecting
            guard let server = connecting.remaining.popFirst() else {
                return roundFailed(connecting, now: now)
            }
            connecting.step = .attempting(server, restoringDeviceLimit: false)
            state = .connecting(connecting)
            return [.attempt(server, nextTicket())]
        }

        private mutating func attemptFinished(_ result: RegistrarResult<LineRegistration>, ticket: Ticket, now: Duration) -> [Action] {
            guard isCurrent(ticket) else { return [] }
            if case .deregistering(let deregistering) = state {
                guard case .succeeded(let registration) = result.kind else {
                    return settle(calls: deregistering.calls, then: deregistering.then)
                }
                state = .deregistering(Deregistering(inFlight: .delete(registration.device), calls: deregistering.calls, then: deregistering.then))
                return [.delete(registration.device, nextTicket())]
            }
            guard case .connecting(var connecting) = state, case .attempting(_, let restoring) = connecting.step else { return [] }
            switch result.kind {
            case .succeeded(let registration):
                return adopt(registration, plan: connecting.plan, now: now)
            case .final(let error), .deviceNotFound(let error):
                return stop(with: error)
            case .retryable(let error, let retryAfter):
                connecting.round.note(error, retryAfter: retryAfter)
                return [.emit(.unregistered(error))] + nextAttempt(connecting, now: now)
            case .deviceLimit(let existing, let error):
                guard !restoring else {
                    return stop(with: Self.deviceLimitExceeded(error, "the server still counts too many devices after device \(existing.deviceID) was removed"))
                }
                connecting.step = .removingListed(existing, error)
                state = .connecting(connecting)
                return [.delete(existing, nextTicket())]
            }
        }

        private mutating func deleteFinished(_ result: RegistrarResult<Void>, ticket: Ticket, now: Duration) -> [Action] {
            guard isCurrent(ticket) else { return [] }
            switch state {
            case .deregistering(let deregistering):
                return settle(calls: deregistering.calls, then: deregistering.then)
            case .connecting(var connecting):
                switch connecting.step {
                case .removingListed(let listed, let error):
                    if let failure = result.error, failure.code != .notFound {
                        return stop(with: Self.deviceLimitExceeded(error, "device \(listed.deviceID) could not be removed: \(failure.detail)"))
                    }
                    connecting.step = .attempting(listed.server, restoringDeviceLimit: true)
                    state = .connecting(connecting)
                    return [.emit(.unregistered(error)), .attempt(listed.server, nextTicket())]
                case .leavingBackup:
                    return [.emit(.unregistered(nil))] + startRound(servers.primaries, connecting, now: now)
                case .attempting, .waiting, .loadingProgress:
                    return []
                }
            case .idle, .stopped, .registered, .shutDown:
                return []
            }
        }

        /// Every server of the round failed: wait and retry, move on, or give up, per the plan.
        private mutating func roundFailed(_ connecting: Connecting, now: Duration) -> [Action] {
            var connecting = connecting
            let retryPolicy = policy.retryPolicy
            switch connecting.plan {
            case .primaries(let retries, let start):
                let attempt = retries + 1
                let elapsed = now - start
                var wait = min(retryInterval(attempt: attempt), retryPolicy.primaryBudget - elapsed)
                let retryAfter = connecting.round.retryAfter ?? .zero
                let pastBudget = wait < retryAfter && elapsed + retryAfter > retryPolicy.primaryBudget
                guard wait > retryPolicy.base, !pastBudget else {
                    return startBackups(Progress(attempt: attempt, elapsed: elapsed, onBackups: true), connecting, now: now)
                }
                wait = max(wait, retryAfter)
                connecting.plan = .primaries(attempt: attempt, start: start)
                return saveProgress(Progress(attempt: attempt, elapsed: elapsed, onBackups: false)) + retryLater(connecting, at: now + wait)
            case .backups(round: 0):
                connecting.plan = .backups(round: 1)
                return retryLater(connecting, at: now + max(retryInterval(attempt: 1), connecting.round.retryAfter ?? .zero))
            case .backups:
                return stop(with: LineError(
                    code: .serviceUnavailable,
                    detail: "every primary and backup server failed; registration stopped: call register() to try again"
                ))
            case .failback(let backup, var retries):
                var nextWindow: Duration?
                if connecting.round.sawTooManyRequests, retries < policy.failbackTooManyRequestsRetries {
                    retries += 1
                    nextWindow = retryInterval(attempt: Int(retries))
                }
                connecting.plan = .returnToBackup(retries: retries, nextWindow: nextWindow)
                return startRound([backup], connecting, now: now)
            case .returnToBackup:
                connecting.plan = .primaries(attempt: 0, start: now)
                return roundFailed(connecting, now: now)
            }
        }

        private mutating func startBackups(_ progress: Progress, _ connecting: Connecting, now: Duration) -> [Action] {
            var connecting = connecting
            connecting.plan = .backups(round: 0)
            return saveProgress(progress) + startRound(servers.backups, connecting, now: now)
        }

        private mutating func retryLater(_ connecting: Connecting, at deadline: Duration) -> [Action] {
            var connecting = connecting
            connecting.step = .waiting
            state = .connecting(connecting)
            return [.sleep(until: deadline, nextTicket())]
        }

        private mutating func timerFired(ticket: Ticket, now: Duration) -> [Action] {
            guard isCurrent(ticket) else { return [] }
            switch state {
            case .connecting(let connecting):
                guard case .waiting = connecting.step else { return [] }
                if case .backups = connecting.plan {
                    return startRound(servers.backups, connecting, now: now)
                }
                return startRound(servers.primaries, connecting, now: now)
            case .registered(var registered):
                guard registered.rehoming == .window else { return [] }
                registered.rehoming = .pinging
                state = .registered(registered)
                return [.ping(servers.primaries, nextTicket())]
            case .idle, .stopped, .deregistering, .shutDown:
                return []
            }
        }

        /// Takes a registration: remembers it, starts keepalives, tells the app; on a backup, waits
        /// a rehoming window before looking for a primary again. The registrar's timers are held
        /// to ``InboundLimits`` first, whichever registrar gave them.
        private mutating func adopt(_ registration: LineRegistration, plan: Plan, now: Duration) -> [Action] {
            var registration = registration
            let interval = InboundLimits.clamp(registration.keepaliveInterval, to: InboundLimits.keepaliveInterval)
            if interval != registration.keepaliveInterval {
                registration.keepaliveInterval = interval
            }
            let onBackup = !servers.primaries.contains(registration.device.server)
            if !onBackup, let given = registration.rehomingWindow {
                let window = InboundLimits.rehomingWindowMinutes
                let minutes = { (duration: Duration) in InboundLimits.clamp(Int(clamping: duration.components.seconds / 60), to: window) }
                let (low, high) = (minutes(given.lowerBound), minutes(given.upperBound))
                if 0 < low, low <= high {
                    lastPrimaryRehoming = (UInt16(low), UInt16(high))
                }
            }
            var registered = Registered(registration: registration, onBackup: onBackup)
            var nextWindow: Duration?
            if case .returnToBackup(let retries, let window) = plan {
                registered.failback429Retries = retries
                nextWindow = window
            }
            var rehoming: [Action] = []
            if onBackup {
                registered.rehoming = .window
                rehoming = [.sleep(until: now + (nextWindow ?? rehomingWindow()), nextTicket())]
            }
            state = .registered(registered)
            return clearProgress() + [.startKeepalives(registration), .emit(.registered(info))] + rehoming
        }

        /// A rehoming wait: the input's draw, held to the window in force.
        private func rehomingWindow() -> Duration {
            .seconds(60 * InboundLimits.clamp(environment.draws.rehomingWindowMinutes, to: machine.rehomingWindowMinutes(policy)))
        }

        /// A retry wait with the input's jitter.
        private func retryInterval(attempt: Int) -> Duration {
            let jitter = InboundLimits.clamp(environment.draws.retryJitterSeconds, to: policy.retryPolicy.jitter)
            return policy.retryPolicy.interval(attempt: attempt, jitterSeconds: jitter)
        }

        private mutating func pingFinished(up: Bool, ticket: Ticket, now: Duration) -> [Action] {
            guard isCurrent(ticket), case .registered(var registered) = state, registered.rehoming == .pinging else { return [] }
            guard up else {
                registered.rehoming = .window
                state = .registered(registered)
                return [.sleep(until: now + rehomingWindow(), nextTicket())]
            }
            let device = registered.registration.device
            state = .connecting(Connecting(
                plan: .failback(backup: device.server, retries: registered.failback429Retries),
                step: .leavingBackup(device)
            ))
            return [.stopKeepalives, .delete(device, nextTicket())]
        }

        /// A final error: the line stops until `register()`.
        private mutating func stop(with error: LineError) -> [Action] {
            state = .stopped(error)
            return clearProgress() + [.emit(.error(error))]
        }

        // MARK: Keepalives

        private mutating func keepaliveFinished(_ result: RegistrarResult<Void>, now: Duration) -> [Action] {
            guard case .registered(var registered) = state else { return [] }
            switch result.kind {
            case .succeeded:
                guard registered.misses > 0 else { return [] }
                registered.misses = 0
                state = .registered(registered)
                return [.emit(.reconnected)]
            case .retryable(_, let retryAfter?):
                return [.pauseKeepalives(until: now + InboundLimits.wait(retryAfter))]
            case .retryable(let error, nil), .deviceLimit(_, let error):
                registered.misses += 1
                guard registered.misses >= policy.keepaliveMissLimit else {
                    state = .registered(registered)
                    return [.emit(.reconnecting(error))]
                }
                let last = registered.registration.device.server
                let connecting = Connecting(plan: .primaries(attempt: 0, start: now), step: .waiting)
                return leave(registered) + [.emit(.unregistered(error))] + startRound([last] + servers.primaries.filter { $0 != last }, connecting, now: now)
            case .final(let error):
                state = .stopped(error)
                return leave(registered) + [.emit(.error(error)), .emit(.unregistered(error))]
            case .deviceNotFound(let error):
                let connecting = Connecting(plan: .primaries(attempt: 0, start: now), step: .waiting)
                return leave(registered) + [.emit(.error(error)), .emit(.unregistered(error))] + startRound(servers.primaries, connecting, now: now)
            }
        }

        /// Stops what a registration runs: its keepalives and a rehoming timer or ping.
        private func leave(_ registered: Registered) -> [Action] {
            registered.rehoming == .none ? [.stopKeepalives] : [.stopKeepalives, .cancelWaiting]
        }

        // MARK: Bookkeeping

        private mutating func nextTicket() -> Ticket {
            ticketCount &+= 1
            return Ticket(ticketCount)
        }

        private func isCurrent(_ ticket: Ticket) -> Bool {
            ticket.number == ticketCount
        }

        private mutating func saveProgress(_ progress: Progress) -> [Action] {
            guard policy.remembersProgress else { return [] }
            progressSaved = true
            return [.saveProgress(progress)]
        }

        private mutating func clearProgress() -> [Action] {
            guard progressSaved else { return [] }
            progressSaved = false
            return [.clearProgress]
        }
    }
}
