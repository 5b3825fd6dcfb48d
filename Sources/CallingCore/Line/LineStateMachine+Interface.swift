import CallingTransport
import Foundation

/// What goes in and out of a ``LineStateMachine``, and what it reads.
extension LineStateMachine {
    /// Names the one operation or timer the machine is waiting for.
    package struct Ticket: Hashable, Sendable {
        package let number: UInt32

        package init(_ number: UInt32) {
            self.number = number
        }
    }

    /// How far a failover had got: the retry attempt about to be made, the time since the
    /// failover began, and whether it had moved on to the backups.
    package struct Progress: Equatable, Sendable {
        package var attempt: Int
        package var elapsed: Duration
        package var onBackups: Bool

        package init(attempt: Int, elapsed: Duration, onBackups: Bool) {
            self.attempt = attempt
            self.elapsed = elapsed
            self.onBackups = onBackups
        }

        /// Progress saved by an earlier process, as the machine counts it at `date`: the time
        /// since it was saved counts as elapsed. A file says anything, so the attempt is held to
        /// ``InboundLimits/failoverAttempts`` and the elapsed time to the primary `budget` (past
        /// it, the line goes on with the backups either way).
        package init(resuming saved: FailoverProgress, at date: Date, budget: Duration) {
            let elapsed = saved.elapsedSeconds + max(0, date.timeIntervalSince(saved.savedAt))
            self.init(
                attempt: InboundLimits.clamp(saved.attempt, to: InboundLimits.failoverAttempts),
                elapsed: InboundLimits.duration(seconds: elapsed, in: .zero...max(.zero, budget)),
                onBackups: saved.onBackups
            )
        }
    }

    /// The settings every line of a client shares; a class so that each line holds one reference.
    package final class Policy: Sendable {
        let retryPolicy: RetryPolicy
        let rehomingWindowMinutes: ClosedRange<Int>
        package let failbackTooManyRequestsRetries: Int
        package let keepaliveMissLimit: Int
        /// Whether a failover's progress is kept (the client has a progress store): without
        /// one there is nothing to load before a registration, nor to save or clear.
        package let remembersProgress: Bool

        package init(
            retryPolicy: RetryPolicy,
            rehomingWindowMinutes: ClosedRange<Int>,
            failbackTooManyRequestsRetries: Int,
            keepaliveMissLimit: Int,
            remembersProgress: Bool = true
        ) {
            let window = InboundLimits.rehomingWindowMinutes
            self.retryPolicy = retryPolicy
            self.rehomingWindowMinutes =
                InboundLimits.clamp(rehomingWindowMinutes.lowerBound, to: window)...InboundLimits.clamp(rehomingWindowMinutes.upperBound, to: window)
            // The machine counts misses and failback retries in 16 bits: the registered state
            // stays 16 bytes.
            self.failbackTooManyRequestsRetries = InboundLimits.clamp(failbackTooManyRequestsRetries, to: 0...Int(UInt16.max))
            self.keepaliveMissLimit = InboundLimits.clamp(keepaliveMissLimit, to: 1...Int(UInt16.max))
            self.remembersProgress = remembersProgress
        }
    }

    /// The random values one input may use, drawn before it by whoever feeds the machine, so
    /// that the machine is a function of its inputs.
    package struct Draws: Sendable {
        /// Seconds of jitter for a retry wait, within the retry policy's jitter.
        package var retryJitterSeconds: Int
        /// Minutes of a rehoming window, within ``LineStateMachine/rehomingWindowMinutes(_:)``.
        package var rehomingWindowMinutes: Int

        package init(retryJitterSeconds: Int, rehomingWindowMinutes: Int) {
            self.retryJitterSeconds = retryJitterSeconds
            self.rehomingWindowMinutes = rehomingWindowMinutes
        }

        /// Values for the next input of `machine`, from `random`.
        package init(for machine: LineStateMachine, policy: Policy, from random: RandomSource) {
            self.init(
                retryJitterSeconds: random.next(.retryJitter, in: policy.retryPolicy.jitter),
                rehomingWindowMinutes: random.next(.rehomingWindow, in: machine.rehomingWindowMinutes(policy))
            )
        }
    }

    /// What the machine reads but does not decide, given with each input.
    package struct Environment: Sendable {
        /// The current instant, on the client's clock.
        package var now: Duration
        /// The client's server lists.
        package var servers: RegistrarServers
        /// The client's settings.
        package var policy: Policy
        /// The line as it is when unregistered (its id and the app's options).
        package var line: LineInfo
        /// The random values the input may use.
        package var draws: Draws

        package init(now: Duration, servers: RegistrarServers, policy: Policy, line: LineInfo, draws: Draws) {
            self.now = now
            self.servers = servers
            self.policy = policy
            self.line = line
            self.draws = draws
        }
    }

    /// What happened.
    package enum Input: Sendable {
        /// The app called `register()`.
        case register
        /// The app called `deregister()`.
        case deregister
        /// The client shuts down gracefully: deregister, then refuse further work.
        case shutdown
        /// The client stops at once: whatever is still registered is reported, not removed.
        case stopNow
        /// The answer to ``Action/loadProgress``.
        case progressLoaded(Progress?)
        /// The answer to ``Action/attempt(_:_:)``.
        case attemptFinished(RegistrarResult<LineRegistration>, Ticket)
        /// The answer to ``Action/delete(_:_:)``. Its outcome matters only for a device the
        /// server listed at its device limit: a line's own registration that could not be
        /// removed ages out at the server.
        case deleteFinished(RegistrarResult<Void>, Ticket)
        /// The answer to ``Action/ping(_:_:)``: whether any of the servers is up.
        case pingFinished(up: Bool, Ticket)
        /// The timer of ``Action/sleep(until:_:)`` went off.
        case timerFired(Ticket)
        /// A keepalive's answer that needs a decision (a failure, or the first success after one);
        /// a keepalive that took longer than the interval arrives as a retryable failure.
        case keepaliveFinished(RegistrarResult<Void>)
    }

    /// What the line must do.
    package enum Action: Equatable, Sendable {
        case emit(LineEvent)
        /// One registration attempt; answer with ``Input/attemptFinished(_:_:)``.
        case attempt(RegistrarServer, Ticket)
        /// Remove a registration; answer with ``Input/deleteFinished(_:_:)``.
        case delete(RegisteredDevice, Ticket)
        /// Ping the servers in order until one is up; answer with ``Input/pingFinished(up:_:)``.
        case ping([RegistrarServer], Ticket)
        /// Answer with ``Input/timerFired(_:)`` at `until` (on the clock `now` comes from).
        case sleep(until: Duration, Ticket)
        /// Stop the pending timer or ping; it will not be answered. (Attempts and DELETEs are
        /// never cancelled: what they did at the server must be known, to be undone.)
        case cancelWaiting
        case startKeepalives(LineRegistration)
        case stopKeepalives
        /// The server asked for a pause: the next keepalive goes at `until`.
        case pauseKeepalives(until: Duration)
        /// Answer with ``Input/progressLoaded(_:)``.
        case loadProgress
        /// Save before acting on it, so a restarted process resumes the failover.
        case saveProgress(Progress)
        case clearProgress
    }
}
