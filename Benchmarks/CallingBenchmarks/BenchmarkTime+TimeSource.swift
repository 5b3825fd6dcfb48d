import CallingBenchmarkKit
import CallingCore

extension BenchmarkTime {
    /// The kit's view of the time source the scheduler runs on: the same origin, so the kit
    /// measures the windows the scheduler's deadlines are in.
    init(_ time: TimeSource) {
        self.init(now: { time.now().nanoseconds }, sleepUntil: { try await time.sleepUntil(.nanoseconds($0)) })
    }
}
