import CallingTransport
import Foundation

/// One line's keepalives, kept outside the line's actor: a keepalive that succeeds costs one
/// job on the client's ``KeepaliveWorkers`` and no actor hop. Every answer that needs a
/// decision (a failure, a keepalive slower than the interval, the first success after a
/// failure) goes to the line's state machine, in the order the answers came: through one
/// mailbox per line, drained by one task at a time.
///
/// Never two keepalives of a line at once: a keepalive still waiting when the next is due is
/// cancelled and reported as a failure.
final class LineKeepalive: Sendable {
    /// Every line has one: the fields are ordered so that it packs without padding.
    private struct State {
        var registration: LineRegistration?
        /// When the last keepalive that succeeded was due, in nanoseconds on the scheduler's
        /// clock; 0 when none has since the registration.
        var lastSucceeded: Int64 = 0
        /// Reports not yet handed to the line, oldest first.
        var mailbox: [(result: RegistrarResult<Void>, run: UInt32)] = []
        var inFlight: (sequence: UInt32, ticket: KeepaliveWorkers.Ticket?)?
        var handle: KeepaliveScheduler.Handle?
        /// A failure was reported, so the next success must be reported too.
        var troubled = false
        var delivering = false
        /// Changes on every start and stop, so reports from an older run are ignored.
        var run: UInt32 = 0
        var sequence: UInt32 = 0
    }

    private let state = Locked(State())
    private let context: LineContext
    private let registrar: ClientRegistrar

    init(context: LineContext, registrar: ClientRegistrar) {
        self.context = context
        self.registrar = registrar
    }

    /// Starts keepalives for `registration`, replacing any earlier run. The scheduler fires
    /// `line`, which hands each fire back here with itself, so reports need no stored (weak)
    /// reference to the line.
    func start(_ registration: LineRegistration, of line: Line) {
        stop()
        let handle = context.scheduler.schedule(line, every: registration.keepaliveInterval)
        state.withLock { state in
            state.registration = registration
            state.handle = handle
            state.troubled = false
            state.lastSucceeded = 0
        }
    }

    /// When the last keepalive that succeeded was sent (its scheduled time), if any has since
    /// the registration: the line's "last interaction with Webex Calling".
    var lastSucceeded: Duration? {
        let nanoseconds = state.withLock(\.lastSucceeded)
        return nanoseconds == 0 ? nil : .nanoseconds(nanoseconds)
    }

    /// Stops keepalives and cancels one in flight; reports of this run are dropped from now on.
    func stop() {
        let (handle, ticket) = state.withLock { state in
            defer {
                state.registration = nil
                state.handle = nil
                state.inFlight = nil
                state.run &+= 1
            }
            return (state.handle, state.inFlight?.ticket)
        }
        if let handle {
            context.scheduler.cancel(handle)
        }
        if let ticket {
            context.workers.cancel(ticket)
        }
    }

    /// Sends the next keepalive at `deadline` instead of on time (the server asked for a pause).
    func pause(until deadline: Duration) {
        if let handle = state.withLock(\.handle) {
            context.scheduler.reschedule(handle, nextDeadline: deadline)
        }
    }

    /// Whether reports of run `run` still apply.
    func isCurrent(_ run: UInt32) -> Bool {
        state.withLock { $0.run == run }
    }

    /// A keepalive of `line` is due (it was due at `deadline`).
    func keepaliveDue(of line: Line, deadline: Duration) {
        let step = state.withLock { state -> (LineRegistration, UInt32, run: UInt32, overdue: KeepaliveWorkers.Ticket??)? in
            guard let registration = state.registration else { return nil }
            let overdue = state.inFlight.map(\.ticket)
            state.sequence &+= 1
            state.inFlight = (state.sequence, nil)
            return (registration, state.sequence, state.run, overdue)
        }
        guard let (registration, sequence, run, overdue) = step else { return }
        if let overdue {
            if let ticket = overdue {
                context.workers.cancel(ticket)
            }
            report(.retryable(Self.tooSlow(registration)), run: run, to: line)
        }
        let due = deadline.nanoseconds
        let ticket = context.workers.submit {
            let result = await self.registrar.backend.keepalive(registration)
            self.answered(result, sequence: sequence, run: run, due: due, of: line)
        }
        state.withLock { state in
            if state.inFlight?.sequence == sequence {
                state.inFlight?.ticket = ticket
            }
        }
    }

    private func answered(_ result: RegistrarResult<Void>, sequence: UInt32, run: UInt32, due: Int64, of line: Line) {
        let needsDecision = state.withLock { state -> Bool in
            guard state.inFlight?.sequence == sequence else { return false }
            state.inFlight = nil
            if case .succeeded = result.kind {
                defer { state.troubled = false }
                state.lastSucceeded = due
                return state.troubled
            }
            return true
        }
        if needsDecision {
            report(result, run: run, to: line)
        }
    }

    /// Queues a report for the line; one delivery task at a time hands them over in order.
    private func report(_ result: RegistrarResult<Void>, run: UInt32, to line: Line) {
        let startDelivery = state.withLock { state -> Bool in
            if case .succeeded = result.kind {} else { state.troubled = true }
            state.mailbox.append((result, run))
            guard !state.delivering else { return false }
            state.delivering = true
            return true
        }
        guard startDelivery else { return }
        Task {
            while let next = self.nextReport() {
                await line.keepaliveFinished(next.result, run: next.run)
            }
        }
    }

    private func nextReport() -> (result: RegistrarResult<Void>, run: UInt32)? {
        state.withLock { state in
            guard !state.mailbox.isEmpty else {
                state.delivering = false
                state.mailbox = []
                return nil
            }
            return state.mailbox.removeFirst()
        }
    }

    private static func tooSlow(_ registration: LineRegistration) -> LineError {
        LineError(
            code: .defaultError,
            detail: "no keepalive answer from \(registration.device.server.url.host ?? "the server") within the \(registration.keepaliveInterval) interval"
        )
    }
}
