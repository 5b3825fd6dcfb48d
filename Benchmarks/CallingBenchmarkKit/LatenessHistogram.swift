/// Lateness of fires in fixed buckets: 0.1 ms wide up to 2 s, then one overflow bucket.
/// Recording is an array increment: no allocation per fire.
package struct LatenessHistogram {
    private static let bucketNanos: Int64 = 100_000
    private var buckets = [UInt64](repeating: 0, count: 20_001)
    package private(set) var count: UInt64 = 0
    private(set) var maxNanos: Int64 = 0

    package mutating func record(nanoseconds: Int64) {
        let late = max(0, nanoseconds)
        buckets[Int(min(late / Self.bucketNanos, Int64(buckets.count - 1)))] += 1
        count += 1
        maxNanos = max(maxNanos, late)
    }

    package mutating func merge(_ other: LatenessHistogram) {
        for index in buckets.indices {
            buckets[index] += other.buckets[index]
        }
        count += other.count
        maxNanos = max(maxNanos, other.maxNanos)
    }

    /// The lateness at `quantile` (0…1) in milliseconds: the upper edge of its bucket.
    package func milliseconds(at quantile: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = UInt64((Double(count) * quantile).rounded(.up))
        var seen: UInt64 = 0
        for (index, bucket) in buckets.enumerated() {
            seen += bucket
            if seen >= max(rank, 1) {
                return min(Double(Int64(index + 1) * Self.bucketNanos), Double(maxNanos)) / 1e6
            }
        }
        return Double(maxNanos) / 1e6
    }

    package var maxMilliseconds: Double { Double(maxNanos) / 1e6 }
}
