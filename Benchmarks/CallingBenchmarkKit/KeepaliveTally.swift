import CallingTransport
import Synchronization

/// Watches Mobius requests as they leave the client: numbers lines as they register, measures
/// each keepalive against its line's schedule, counts failed answers, and keeps each line's
/// last keepalive and when it left, so the bare library can send the same requests at the
/// same instants.
///
/// A keepalive is a POST without a body, a registration a POST with one; both name their
/// device in `cisco-device-url`.
final class KeepaliveTally: Middleware {
    private struct State {
        var lines: [String: Int] = [:]
        var keepalives: [(request: HTTPRequest, sent: Int64)?]
        var failed = 0
    }

    let schedule: LineSchedule
    private let time: BenchmarkTime
    private let state: Mutex<State>

    init(lines: Int, intervalNanos: Int64, time: BenchmarkTime) {
        self.schedule = LineSchedule(lines: lines, intervalNanos: intervalNanos, log: FireLog(lines: lines, window: .max ... .max))
        self.time = time
        self.state = Mutex(State(keepalives: Array(repeating: nil, count: lines)))
    }

    /// Answers other than success since the start.
    var failed: Int { state.withLock { $0.failed } }

    /// Each line's last keepalive request and when it left, in line order.
    var keepalives: [(request: HTTPRequest, sent: Int64)] { state.withLock { $0.keepalives.compactMap { $0 } } }

    func intercept(_ request: HTTPRequest, next: (HTTPRequest) async throws -> HTTPResponse) async throws -> HTTPResponse {
        guard request.method == .post, let device = request.headers["cisco-device-url"] else { return try await next(request) }
        if request.body == nil {
            let now = time.now()
            if let line = state.withLock({ state -> Int? in
                guard let line = state.lines[device] else { return nil }
                state.keepalives[line] = (request, now)
                return line
            }) {
                schedule.keepalive(line: line, now: now)
            }
        }
        let response = try await next(request)
        if !response.isSuccess {
            state.withLock { $0.failed += 1 }
        } else if request.body != nil, let line = state.withLock({ state -> Int? in
            guard state.lines[device] == nil, state.lines.count < state.keepalives.count else { return nil }
            state.lines[device] = state.lines.count
            return state.lines[device]
        }) {
            schedule.registered(line: line, now: time.now())
        }
        return response
    }
}
