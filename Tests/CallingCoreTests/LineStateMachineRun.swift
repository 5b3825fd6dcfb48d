import CallingCore
import Foundation

/// Drives a ``LineStateMachine`` alone: no tasks, no clock, no HTTP. Each step feeds one input
/// (answering whatever the machine waits for, with the ticket it gave) and returns the actions
/// as short strings, so a scenario reads as a table of inputs and expected actions.
struct LineStateMachineRun {
    static let p1 = RegistrarServer(url: URL(string: "https://p1.example.com/calling/web/")!)
    static let p2 = RegistrarServer(url: URL(string: "https://p2.example.com/calling/web/")!)
    static let b1 = RegistrarServer(url: URL(string: "https://b1.example.com/calling/web/")!)

    /// An input, answering the operation or timer the machine waits for.
    enum Step {
        case register
        case deregister
        case shutdown
        case stopNow
        case progress(LineStateMachine.Progress?)
        /// The pending attempt succeeds, with the server's rehoming window and keepalive interval.
        case registered(rehoming: ClosedRange<Duration>? = nil, keepalive: Duration = .seconds(30))
        /// The pending attempt fails with `status` (429 with a `retryAfter`).
        case failed(Int, retryAfter: Duration? = nil)
        /// The pending attempt is refused for good.
        case refused(LineError.Code)
        /// The pending attempt answers 403/101, listing a device on `server`.
        case deviceLimit(on: RegistrarServer)
        case deleted
        /// The pending DELETE fails with `status`.
        case deleteFailed(Int)
        case ping(up: Bool)
        /// The pending timer goes off (the clock moves to its deadline).
        case timer
        /// Moves the clock without an input.
        case wait(seconds: Int)
        case keepaliveSucceeded
        case keepaliveFailed(Int, retryAfter: Duration? = nil)
        case keepaliveRefused(LineError.Code)
        case keepaliveNotFound
    }

    var machine = LineStateMachine()
    var now = Duration.zero
    let servers: RegistrarServers
    let policy: LineStateMachine.Policy
    /// Every jitter draw gives `jitter`, every rehoming draw `rehomingMinutes` (held to the window in force).
    let random: RandomSource
    let line = LineInfo(lineID: UUID(), options: LineOptions(phoneNumber: "+15550100"))
    private var ticket: LineStateMachine.Ticket?
    private var attemptServer: RegistrarServer?
    private var deadline: Duration?

    init(
        primaries: [RegistrarServer] = [p1], backups: [RegistrarServer] = [b1], jitter: Int = 10, rehomingMinutes: Int = 60, missLimit: Int = 5,
        rehomingWindowMinutes: ClosedRange<Int> = 60...120, remembersProgress: Bool = true
    ) {
        policy = LineStateMachine.Policy(
            retryPolicy: .defaults, rehomingWindowMinutes: rehomingWindowMinutes, failbackTooManyRequestsRetries: 5, keepaliveMissLimit: missLimit,
            remembersProgress: remembersProgress
        )
        random = RandomSource { draw, _ in draw == .retryJitter ? jitter : rehomingMinutes }
        servers = RegistrarServers(primaries: primaries, backups: backups)
    }

    /// Feeds one step; the actions, described.
    mutating func callAsFunction(_ step: Step) -> [String] {
        let input: LineStateMachine.Input
        switch step {
        case .register: input = .register
        case .deregister: input = .deregister
        case .shutdown: input = .shutdown
        case .stopNow: input = .stopNow
        case .progress(let progress): input = .progressLoaded(progress)
        case .registered(let rehoming, let keepalive):
            let server = attemptServer!
            input = .attemptFinished(.succeeded(LineRegistration(
                device: Self.device(on: server), keepaliveInterval: keepalive,
                rehomingWindow: rehoming
            )), ticket!)
        case .failed(let status, let retryAfter):
            input = .attemptFinished(.retryable(Self.error(status), retryAfter: retryAfter), ticket!)
        case .refused(let code):
            input = .attemptFinished(.final(LineError(code: code, detail: "refused")), ticket!)
        case .deviceLimit(let server):
            let listed = RegisteredDevice(deviceID: "old", server: server, clientDeviceURL: "old-device")
            input = .attemptFinished(.deviceLimit(existing: listed, error: LineError(code: .forbidden, detail: "limit")), ticket!)
        case .deleted: input = .deleteFinished(.succeeded, ticket!)
        case .deleteFailed(404): input = .deleteFinished(.final(LineError(code: .notFound, detail: "gone")), ticket!)
        case .deleteFailed(let status): input = .deleteFinished(.retryable(Self.error(status)), ticket!)
        case .ping(let up): input = .pingFinished(up: up, ticket!)
        case .timer:
            now = deadline!
            input = .timerFired(ticket!)
        case .wait(let seconds):
            now += .seconds(seconds)
            return []
        case .keepaliveSucceeded: input = .keepaliveFinished(.succeeded)
        case .keepaliveFailed(let status, let retryAfter):
            input = .keepaliveFinished(.retryable(Self.error(status), retryAfter: retryAfter))
        case .keepaliveRefused(let code): input = .keepaliveFinished(.final(LineError(code: code, detail: "refused")))
        case .keepaliveNotFound: input = .keepaliveFinished(.deviceNotFound(LineError(code: .notFound, detail: "gone")))
        }
        var described: [String] = []
        for action in machine.handle(input, in: environment) {
            described.append(describe(action))
        }
        return described
    }

    /// The environment at the current instant.
    var environment: LineStateMachine.Environment {
        LineStateMachine.Environment(
            now: now, servers: servers, policy: policy, line: line, draws: LineStateMachine.Draws(for: machine, policy: policy, from: random)
        )
    }

    /// The line as the app would see it now.
    var info: LineInfo {
        machine.info(of: line)
    }

    /// Several steps; their actions, one list per step.
    mutating func run(_ steps: [Step]) -> [[String]] {
        var actions: [[String]] = []
        for step in steps {
            actions.append(self(step))
        }
        return actions
    }

    static func device(on server: RegistrarServer) -> RegisteredDevice {
        RegisteredDevice(deviceID: "\(server.url.host!.prefix(2))-dev", server: server, clientDeviceURL: "dev")
    }

    static func error(_ status: Int) -> LineError {
        switch status {
        case 429: LineError(code: .tooManyRequests, detail: "slow down", metadata: ["status": 429])
        case 500: LineError(code: .serverError, detail: "failed", metadata: ["status": 500])
        case 503: LineError(code: .serviceUnavailable, detail: "unavailable", metadata: ["status": 503])
        case 401: LineError(code: .tokenError, detail: "token endpoint unavailable")
        default: LineError(code: .defaultError, detail: "answered \(status)", metadata: ["status": .number(status)])
        }
    }

    private static func name(_ server: RegistrarServer) -> String {
        String(server.url.host!.prefix(2))
    }

    private mutating func describe(_ action: LineStateMachine.Action) -> String {
        switch action {
        case .emit(let event):
            switch event {
            case .connecting: return "connecting"
            case .registered(let info): return "registered \(info.server.map(Self.name) ?? "?")\(info.isOnBackup ? " (backup)" : "")"
            case .unregistered(let cause): return "unregistered" + (cause.map { "(\($0.code.description))" } ?? "")
            case .reconnecting(let cause): return "reconnecting(\(cause.code.description))"
            case .reconnected: return "reconnected"
            case .error(let error): return "error(\(error.code.description))"
            }
        case .attempt(let server, let ticket):
            self.ticket = ticket
            attemptServer = server
            return "attempt \(Self.name(server))"
        case .delete(let device, let ticket):
            self.ticket = ticket
            return "delete \(device.deviceID)"
        case .ping(let servers, let ticket):
            self.ticket = ticket
            return "ping " + servers.map(Self.name).joined(separator: ",")
        case .sleep(let until, let ticket):
            self.ticket = ticket
            deadline = until
            return "sleep until \(until.components.seconds)"
        case .cancelWaiting: return "cancel waiting"
        case .startKeepalives(let registration):
            let interval = registration.keepaliveInterval == .seconds(30) ? "" : " every \(registration.keepaliveInterval)"
            return "keepalives on \(Self.name(registration.device.server))\(interval)"
        case .stopKeepalives: return "stop keepalives"
        case .pauseKeepalives(let until): return "pause keepalives until \(until.components.seconds)"
        case .loadProgress: return "load progress"
        case .saveProgress(let progress):
            return "save attempt \(progress.attempt) at \(progress.elapsed.components.seconds) s\(progress.onBackups ? " on backups" : "")"
        case .clearProgress: return "clear progress"
        }
    }
}
