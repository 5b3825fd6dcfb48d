import CallingCore
import CallingTransport
import Foundation

/// The cheapest Mobius that answers correctly: registrations with the benchmark's interval, and
/// keepalives that record each line's lateness against its own schedule.
final class CountingMobius: @unchecked Sendable {
    // @unchecked: `next` is a fixed buffer; slot i is written only by line i's register and
    // keepalive requests, which never overlap. Everything else is immutable
    // except `firstDeadlines`, which only the benchmark's own task writes and reads.
    let time = TimeSource(clock: ContinuousClock(), date: { Date() })
    private let lines: Int
    private let intervalSeconds: Int
    private let intervalNanos: Int64
    private let log: FireLog
    private let next: UnsafeMutablePointer<Int64>
    private(set) var firstDeadlines: [Int64] = []

    init(lines: Int, intervalSeconds: Int, log: FireLog) {
        self.lines = lines
        self.intervalSeconds = intervalSeconds
        self.intervalNanos = Int64(intervalSeconds) * 1_000_000_000
        self.log = log
        next = .allocate(capacity: lines)
        next.initialize(repeating: 0, count: lines)
    }

    deinit {
        next.deallocate()
    }

    var handler: InMemoryTransport.Handler {
        { [self] request in answer(request) }
    }

    /// Counts keepalives due in `window`, and notes each line's first deadline in it.
    func startCounting(in window: ClosedRange<Int64>) {
        let windowStart = window.lowerBound
        firstDeadlines = (0..<lines).map { line in
            let deadline = next[line]
            return deadline >= windowStart ? deadline : deadline + ((windowStart - deadline + intervalNanos - 1) / intervalNanos) * intervalNanos
        }
        log.count(in: window)
    }

    /// Tells requests apart without parsing URLs, so the benchmark measures the client, not this:
    /// a keepalive is a POST without a body, and every line's device URL is `dev-<line>`.
    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == .post, request.body == nil {
            guard let line = request.headers["cisco-device-url"].flatMap({ Int($0.dropFirst(4)) }) else {
                return HTTPResponse(status: 404)
            }
            let now = time.now().nanoseconds
            let due = next[line]
            next[line] = due + intervalNanos
            log.recordIfCounted(line: line, deadline: due, now: now)
            return HTTPResponse(status: 200)
        }
        if request.method == .post {
            let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
            guard let device = body?["clientDeviceUri"] as? String, let line = Int(device.dropFirst(4)) else {
                return HTTPResponse(status: 400)
            }
            next[line] = time.now().nanoseconds + intervalNanos
            let server = request.url.absoluteString.replacingOccurrences(of: "device", with: "")
            let json = #"{"userId":"bench","device":{"deviceId":"d-\#(line)","uri":"\#(server)devices/d-\#(line)"},"keepaliveInterval":\#(intervalSeconds)}"#
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(json.utf8))
        }
        if request.method == .get {
            let json = #"{"primary":{"uris":["https://bench.invalid/mobius/primary/api/v1"]},"backup":{"uris":[]}}"#
            return HTTPResponse(status: 200, body: Data(json.utf8))
        }
        return HTTPResponse(status: 200)
    }
}
