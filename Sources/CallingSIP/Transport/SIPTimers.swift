/// RFC 3261 §17.1.2's timers for a non-INVITE client transaction, from T1 (the round-trip
/// estimate, 500 ms by default).
///
/// Over UDP the request is sent again after T1, then at doubling intervals capped at T2 (4 s);
/// on any transport the transaction gives up after Timer F, 64 × T1 (32 s by default).
public struct SIPTimers: Sendable, Equatable {
    /// The round-trip estimate; RFC 3261 recommends 500 ms.
    public var t1: Duration
    /// The longest interval between retransmissions; RFC 3261 recommends 4 s.
    public var t2: Duration

    /// Creates timers.
    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4)) {
        self.t1 = t1
        self.t2 = t2
    }

    /// RFC 3261's recommended values.
    public static var defaults: SIPTimers { SIPTimers() }

    /// Timer F: how long a request waits for its final answer.
    public var timeout: Duration { t1 * 64 }

    /// When to send the request again, as offsets from the first send: none over a reliable
    /// transport; over UDP T1, 3·T1, 7·T1, … with gaps capped at T2, all before ``timeout``.
    func retransmissions(over transport: SIPTransport) -> [Duration] {
        guard transport == .udp, t1 > .zero else { return [] }
        var offsets: [Duration] = []
        var gap = t1
        var offset = t1
        while offset < timeout {
            offsets.append(offset)
            gap = min(gap * 2, t2)
            offset += gap
        }
        return offsets
    }
}
