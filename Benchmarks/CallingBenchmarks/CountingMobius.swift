import CallingBenchmarkKit
import CallingCore
import CallingTransport
import Foundation

/// The cheapest Mobius that answers correctly: registrations with the benchmark's interval, and
/// keepalives that record each line's lateness against its own schedule.
final class CountingMobius: Sendable {
    let time = TimeSource(clock: ContinuousClock(), date: { Date() })
    private let intervalSeconds: Int
    private let schedule: LineSchedule

    init(lines: Int, intervalSeconds: Int, log: FireLog) {
        self.intervalSeconds = intervalSeconds
        self.schedule = LineSchedule(lines: lines, intervalNanos: Int64(intervalSeconds) * 1_000_000_000, log: log)
    }

    var firstDeadlines: [Int64] { schedule.firstDeadlines }

    var handler: InMemoryTransport.Handler {
        { [self] request in answer(request) }
    }

    /// Counts keepalives due in `window`, and notes each line's first deadline in it.
    func startCounting(in window: ClosedRange<Int64>) {
        schedule.startCounting(in: window)
    }

    /// Tells requests apart without parsing URLs, so the benchmark measures the client, not this:
    /// a keepalive is a POST without a body, and every line's device URL is `dev-<line>`.
    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == .post, request.body == nil {
            guard let line = request.headers["cisco-device-url"].flatMap({ Int($0.dropFirst(4)) }) else {
                return HTTPResponse(status: 404)
            }
            schedule.keepalive(line: line, now: time.now().nanoseconds)
            return HTTPResponse(status: 200)
        }
        if request.method == .post {
            let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
            guard let device = body?["clientDeviceUri"] as? String, let line = Int(device.dropFirst(4)) else {
                return HTTPResponse(status: 400)
            }
            schedule.registered(line: line, now: time.now().nanoseconds)
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
