/// What happened to a line, in the order the app sees it.
public enum LineEvent: Sendable, Equatable {
    /// `register()` was called: registration starts (once per call).
    case connecting
    /// A registration succeeded (first, retry, failover, failback), with the line as it is now.
    case registered(LineInfo)
    /// The line is not registered (any more): an attempt failed and the line will retry, a
    /// registration was removed, or keepalives gave up. The error says why; it is `nil` when the
    /// app asked (``Line/deregister()``, shutdown) or the line left a backup to move back.
    case unregistered(LineError?)
    /// A keepalive failed, for the reason given; the line is still registered and keeps trying.
    case reconnecting(LineError)
    /// A keepalive succeeded after one or more failures.
    case reconnected
    /// A final error: the line stopped and stays unregistered until `register()`.
    case error(LineError)
}

extension LineEvent {
    /// The event's name as the reference client spells it: `"registered"`, `"reconnecting"`, ….
    public var name: String {
        switch self {
        case .connecting: "connecting"
        case .registered: "registered"
        case .unregistered: "unregistered"
        case .reconnecting: "reconnecting"
        case .reconnected: "reconnected"
        case .error: "error"
        }
    }

    /// The error the event carries, if any.
    public var cause: LineError? {
        switch self {
        case .unregistered(let cause): cause
        case .reconnecting(let cause), .error(let cause): cause
        case .connecting, .registered, .reconnected: nil
        }
    }
}
