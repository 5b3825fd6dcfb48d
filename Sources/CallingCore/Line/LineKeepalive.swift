import CallingTransport

/// What a keepalive run has to tell its line.
enum KeepaliveReport: Sendable {
    /// A keepalive failed or timed out; the line is still registered.
    case missed
    /// A keepalive succeeded after misses.
    case recovered
    /// Too many misses in a row: the registration is given up (keepalives already stopped).
    case gaveUp
    /// A final answer (keepalives already stopped).
    case final(LineError)
    /// The server no longer knows the registration (keepalives already stopped).
    case notFound(LineError)
}

/// One line's keepalives, kept outside the line's actor: a keepalive that succeeds costs one
/// job on the client's ``KeepaliveWorkers`` and no actor hop; only what changes the line's
/// state (misses, recoveries, give-ups) is reported to the line.
///
/// Never two keepalives of a line at once: a keepalive still waiting when the next is due is
/// cancelled and counts as a miss.
final class LineKeepalive: Sendable {
    private struct State {
        var registration: LineRegistration?
        var handle: KeepaliveScheduler.Handle?
        /// Changes on every start and stop, so reports from an older run are ignored.
        var run: UInt64 = 0
        var sequence: UInt64 = 0
        var inFlight: (sequence: UInt64, ticket: KeepaliveWorkers.Ticket?)?
        var missed = 0
    }

    private let state = Locked(State())
    private let context: LineContext

    init(context: LineContext) {
        self.context = context
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
            state.missed = 0
        }
    }

    /// Stops sending (before the line hears why), keeping the run current so its report applies.
    private func halt() {
        let handle = state.withLock { state in
            defer {
                state.registration = nil
                state.handle = nil
            }
            return state.handle
        }
        if let handle {
            context.scheduler.cancel(handle)
        }
    }

    /// Stops keepalives and cancels one in flight.
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

    /// Whether reports of run `run` still apply.
    func isCurrent(_ run: UInt64) -> Bool {
        state.withLock { $0.run == run }
    }

    /// A keepalive of `line` is due.
    func keepaliveDue(of line: Line) {
        let limit = context.keepaliveMissLimit
        let step = state.withLock { state -> (LineRegistration, UInt64, run: UInt64, overdue: KeepaliveWorkers.Ticket?, report: KeepaliveReport?)? in
            guard let registration = state.registration else { return nil }
            var overdue: KeepaliveWorkers.Ticket?
            var report: KeepaliveReport?
            if let inFlight = state.inFlight {
                overdue = inFlight.ticket
                state.inFlight = nil
                state.missed += 1
                report = state.missed >= limit ? .gaveUp : .missed
            }
            let run = state.run
            if case .gaveUp? = report {
                return (registration, 0, run, overdue, report)
            }
            state.sequence &+= 1
            state.inFlight = (state.sequence, nil)
            return (registration, state.sequence, run, overdue, report)
        }
        guard let (registration, sequence, run, overdue, report) = step else { return }
        if let overdue {
            context.workers.cancel(overdue)
        }
        if let report {
            if case .gaveUp = report {
                halt()
            }
            Task { await line.keepaliveReport(report, run: run) }
            if case .gaveUp = report {
                return
            }
        }
        let ticket = context.workers.submit {
            let result = await self.context.registrar.keepalive(registration)
            await self.answered(result, sequence: sequence, run: run, of: line)
        }
        state.withLock { state in
            if state.inFlight?.sequence == sequence {
                state.inFlight?.ticket = ticket
            }
        }
    }

    private func answered(_ result: RegistrarResult<Void>, sequence: UInt64, run: UInt64, of line: Line) async {
        let limit = context.keepaliveMissLimit
        let (report, pause) = state.withLock { state -> (KeepaliveReport?, (KeepaliveScheduler.Handle, Duration)?) in
            guard state.inFlight?.sequence == sequence else { return (nil, nil) }
            state.inFlight = nil
            switch result.kind {
            case .succeeded:
                guard state.missed > 0 else { return (nil, nil) }
                state.missed = 0
                return (.recovered, nil)
            case .retryable(_, let retryAfter?):
                return (nil, state.handle.map { ($0, context.time.now() + retryAfter) })
            case .retryable, .deviceLimit:
                state.missed += 1
                return (state.missed >= limit ? .gaveUp : .missed, nil)
            case .final(let error):
                return (.final(error), nil)
            case .deviceNotFound(let error):
                return (.notFound(error), nil)
            }
        }
        if let (handle, deadline) = pause {
            context.scheduler.reschedule(handle, nextDeadline: deadline)
        }
        guard let report else { return }
        switch report {
        case .gaveUp, .final, .notFound: halt()
        case .missed, .recovered: break
        }
        await line.keepaliveReport(report, run: run)
    }
}
