import CallingCore
import CallingMobius
import CallingSIP
import CallingTestSupport
import CallingTesting
import CallingTransport
import Foundation
import FuzzSupport

/// A line's whole life on a manual clock, with every value from outside chosen by the input:
/// registrations (a custom registrar's, a Mobius answer's, a SIP 200's), failures with
/// `Retry-After`, keepalive answers, saved failover files, and time passing. The line's state
/// machine decides; its timers and keepalives go to a real ``KeepaliveScheduler``, as a `Line`
/// does with them. Nothing the input says may trap.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var choices = Choices(bytes(data, size)[...])
    let life = LineLife()
    var steps = 0
    while !choices.isEmpty, steps < 64 {
        steps += 1
        life.step(&choices)
    }
    return 0
}

/// The input read as a sequence of choices; an exhausted input reads as zeros.
struct Choices {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[Int(byte()) % values.count]
    }

    mutating func int64() -> Int64 {
        (0..<8).reduce(Int64(0)) { value, _ in value << 8 | Int64(byte()) }
    }

    /// Durations a registrar could hand over: extremes first, then any.
    mutating func duration() -> Duration {
        switch byte() % 10 {
        case 0: .zero
        case 1: .seconds(-1)
        case 2: .seconds(30)
        case 3: .seconds(Int64.max)
        case 4: .seconds(Int64.min)
        case 5: .nanoseconds(Int64.max)
        case 6: .seconds(10_000_000_000)
        case 7: Duration(secondsComponent: int64(), attosecondsComponent: 0)
        case 8: .nanoseconds(int64())
        default: .milliseconds(Int64(byte()) * 100)
        }
    }

    /// A range of such durations, or none.
    mutating func durationRange() -> ClosedRange<Duration>? {
        let (first, second) = (duration(), duration())
        return byte() % 4 == 0 ? nil : min(first, second)...max(first, second)
    }

    /// A number as a server or a file writes it.
    mutating func numberText() -> String {
        switch byte() % 12 {
        case 0: "1e308"
        case 1: "-1e308"
        case 2: "9223372036854775807"
        case 3: "-9223372036854775808"
        case 4: "99999999999999999"
        case 5: "10000000000"
        case 6: "0"
        case 7: "-1"
        case 8: "\"10000000000\""
        case 9: String(int64())
        case 10: String(Double(bitPattern: UInt64(bitPattern: int64())))
        default: String(byte())
        }
    }
}

/// One line: its machine, a scheduler on a manual clock, and what the machine waits for.
final class LineLife {
    let clock = ManualClock()
    let time: TimeSource
    let scheduler: KeepaliveScheduler
    let target = FireCounter()
    let primary = RegistrarServer(url: URL(string: "https://primary.example.com/calling/web/")!)
    let backup = RegistrarServer(url: URL(string: "https://backup.example.com/calling/web/")!)
    let device = LineDevice(userID: "user", deviceURL: "urn:uuid:00000000-0000-0000-0000-000000000001")
    let policy = LineStateMachine.Policy(
        retryPolicy: .defaults, rehomingWindowMinutes: 60...120, failbackTooManyRequestsRetries: 3, keepaliveMissLimit: 5
    )
    let random = RandomSource { _, range in range.lowerBound }
    var machine = LineStateMachine()
    var keepalives: KeepaliveScheduler.Handle?
    var awaited: (action: LineStateMachine.Action, ticket: LineStateMachine.Ticket)?
    var timer: (deadline: Duration, ticket: LineStateMachine.Ticket)?
    var saved: FailoverProgress?

    init() {
        time = TimeSource(clock: clock, date: clock.wallClock)
        scheduler = KeepaliveScheduler(time: time, tolerance: .milliseconds(10))
    }

    func step(_ choices: inout Choices) {
        switch choices.byte() % 8 {
        case 0: feed(.register, &choices)
        case 1: feed(.deregister, &choices)
        case 2: answer(&choices)
        case 3: feed(.keepaliveFinished(keepaliveResult(&choices)), &choices)
        case 4, 5: pass(&choices)
        case 6: saved = failoverFile(&choices)
        default: feed(choices.byte() % 4 == 0 ? .stopNow : .shutdown, &choices)
        }
    }

    /// Feeds an input and carries out the actions, as `Line` does.
    func feed(_ input: LineStateMachine.Input, _ choices: inout Choices) {
        let environment = LineStateMachine.Environment(
            now: time.now(), servers: RegistrarServers(primaries: [primary], backups: [backup]), policy: policy,
            line: LineInfo(lineID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), options: LineOptions()),
            draws: LineStateMachine.Draws(for: machine, policy: policy, from: random)
        )
        var next: LineStateMachine.Input?
        for action in machine.handle(input, in: environment) {
            switch action {
            case .emit, .saveProgress, .clearProgress:
                break
            case .attempt(_, let ticket), .delete(_, let ticket), .ping(_, let ticket):
                awaited = (action, ticket)
            case .sleep(let deadline, let ticket):
                timer = (deadline, ticket)
            case .cancelWaiting:
                timer = nil
                if case .ping = awaited?.action { awaited = nil }
            case .startKeepalives(let registration):
                stopKeepalives()
                keepalives = scheduler.schedule(target, every: registration.keepaliveInterval)
            case .stopKeepalives:
                stopKeepalives()
            case .pauseKeepalives(let deadline):
                if let keepalives { scheduler.reschedule(keepalives, nextDeadline: deadline) }
            case .loadProgress:
                next = .progressLoaded(saved.map { LineStateMachine.Progress(resuming: $0, at: time.date(), budget: RetryPolicy.defaults.primaryBudget) })
            }
        }
        if let next { feed(next, &choices) }
    }

    /// Answers the operation the machine waits for.
    func answer(_ choices: inout Choices) {
        guard let (action, ticket) = awaited else { return }
        awaited = nil
        switch action {
        case .attempt(let server, _):
            feed(.attemptFinished(registration(at: server, &choices), ticket), &choices)
        case .delete:
            feed(.deleteFinished(keepaliveResult(&choices), ticket), &choices)
        case .ping:
            feed(.pingFinished(up: choices.byte() % 2 == 0, ticket), &choices)
        default:
            break
        }
    }

    /// Time passes (up to a few days, as a process lives): due keepalives fire and are
    /// answered, a due timer goes off.
    func pass(_ choices: inout Choices) {
        clock.advance(by: .milliseconds(Int64(choices.byte()) * Int64(choices.byte()) * 1000 + Int64(choices.byte())))
        let before = target.fires
        _ = scheduler.turn()
        for _ in before..<min(target.fires, before + 3) {
            feed(.keepaliveFinished(keepaliveResult(&choices)), &choices)
        }
        if let (deadline, ticket) = timer, deadline <= time.now() {
            timer = nil
            feed(.timerFired(ticket), &choices)
        }
    }

    func stopKeepalives() {
        if let keepalives { scheduler.cancel(keepalives) }
        keepalives = nil
    }

    /// A registration answer from one of the three kinds of registrar.
    func registration(at server: RegistrarServer, _ choices: inout Choices) -> RegistrarResult<LineRegistration> {
        switch choices.byte() % 6 {
        case 0:
            return .succeeded(LineRegistration(
                device: RegisteredDevice(deviceID: "d", server: server, clientDeviceURL: device.deviceURL),
                keepaliveInterval: choices.duration(),
                rehomingWindow: choices.durationRange()
            ))
        case 1:
            let body = """
                {"device":{"deviceId":"d"},"keepaliveInterval":\(choices.numberText()),"callKeepaliveInterval":\(choices.numberText()),\
                "rehomingIntervalMin":\(choices.numberText()),"rehomingIntervalMax":\(choices.numberText())}
                """
            return MobiusRegistrar.registration(from: Data(body.utf8), server: server, device: device).map { .succeeded($0) }
                ?? .retryable(LineError(code: .defaultError, detail: "unreadable"))
        case 2:
            let contact = "sip:user@127.0.0.1:5060;transport=udp;line=1"
            let answer = """
                SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nContact: <\(contact)>;expires=\(choices.numberText())\r\n\
                Expires: \(choices.numberText())\r\nContent-Length: 0\r\n\r\n
                """
            guard let parsed = try? SIPMessage.parse(Array(answer.utf8), framing: .datagram) else {
                return .retryable(LineError(code: .defaultError, detail: "unreadable"))
            }
            return SIPRegistrar.registration(
                accepted: parsed.message, contact: contact, requested: 3600, at: server, for: device, of: SIPAddress("sip:user@127.0.0.1")!
            )
        default:
            return failure(&choices)
        }
    }

    func keepaliveResult(_ choices: inout Choices) -> RegistrarResult<Void> {
        choices.byte() % 3 == 0 ? .succeeded : failure(&choices)
    }

    func failure<Success>(_ choices: inout Choices) -> RegistrarResult<Success> {
        let error = LineError(code: .tooManyRequests, detail: "fuzz")
        switch choices.byte() % 6 {
        case 0: return .final(error)
        case 1: return .deviceNotFound(error)
        case 2: return .retryable(error, retryAfter: choices.duration())
        case 3:
            let header = choices.byte() % 2 == 0 ? choices.numberText() : "Fri, 31 Dec \(1970 + Int(choices.byte()) * 32) 23:59:59 GMT"
            return .retryable(error, retryAfter: RetryAfter.parse(header, now: time.date()))
        case 4: return .deviceLimit(existing: RegisteredDevice(deviceID: "old", server: primary, clientDeviceURL: "old"), error: error)
        default: return .retryable(error)
        }
    }

    /// A failover file as another process (or a hand, or a broken disk) left it.
    func failoverFile(_ choices: inout Choices) -> FailoverProgress? {
        let savedAt = choices.pick(["2027-01-15T08:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"])
        let file = """
            {"attempt":\(choices.numberText()),"elapsedSeconds":\(choices.numberText()),"savedAt":"\(savedAt)","onBackups":\(choices.byte() % 2 == 0)}
            """
        return FileFailoverProgressStore.decode(Data(file.utf8))
    }
}

/// Counts the scheduler's keepalive fires (the fuzzer keeps the line's waits itself).
final class FireCounter: SchedulerTarget {
    private let count = Locked(0)

    var fires: Int { count.withLock { $0 } }

    func keepaliveDue(deadline: Duration) {
        count.withLock { $0 += 1 }
    }

    func deadlineReached(_ handle: KeepaliveScheduler.Handle) {}
}

runFuzzer(fuzz)
