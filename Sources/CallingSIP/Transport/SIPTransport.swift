/// How a SIP line's requests travel: one datagram each, retransmitted until answered, or over
/// one connection per registrar.
public enum SIPTransport: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// UDP, SIP's default: requests are retransmitted on the RFC 3261 timers.
    case udp
    /// TCP: one connection per registrar, shared by every line, reopened when it ends.
    case tcp

    /// `udp` or `tcp`.
    public var description: String { rawValue }

    /// The Via header's transport name.
    var viaName: String { rawValue.uppercased() }
}
