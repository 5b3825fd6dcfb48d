/// How one registrar operation ended, classified so that the line knows what to do next.
///
/// A registrar turns each answer into one of these; the line's state machine acts on the kind
/// alone, so it never needs to know the wire. See ``LineRegistrar`` for which answers map where.
public struct RegistrarResult<Success: Sendable>: Sendable {
    package enum Kind: Sendable {
        case succeeded(Success)
        case retryable(LineError, retryAfter: Duration?)
        case final(LineError)
        case deviceLimit(existing: RegisteredDevice, LineError)
        case deviceNotFound(LineError)
    }

    package let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The operation succeeded.
    public static func succeeded(_ value: Success) -> RegistrarResult {
        RegistrarResult(.succeeded(value))
    }

    /// A failure worth retrying, here or on another server (5xx, network failure, most 403s);
    /// on a keepalive it counts as a miss. `retryAfter` is the server's requested wait (429).
    public static func retryable(_ error: LineError, retryAfter: Duration? = nil) -> RegistrarResult {
        RegistrarResult(.retryable(error, retryAfter: retryAfter))
    }

    /// A failure that retrying cannot fix (400, 401 after a token refresh, user not enabled):
    /// the line reports it and stops.
    public static func final(_ error: LineError) -> RegistrarResult {
        RegistrarResult(.final(error))
    }

    /// The user has too many devices; `existing` is the one to remove so this line can register.
    public static func deviceLimit(existing: RegisteredDevice, error: LineError) -> RegistrarResult {
        RegistrarResult(.deviceLimit(existing: existing, error))
    }

    /// The server no longer knows the registration (404 on a keepalive): register afresh.
    public static func deviceNotFound(_ error: LineError) -> RegistrarResult {
        RegistrarResult(.deviceNotFound(error))
    }

    /// The error, when the operation failed.
    public var error: LineError? {
        switch kind {
        case .succeeded: nil
        case .retryable(let error, _), .final(let error), .deviceLimit(_, let error), .deviceNotFound(let error): error
        }
    }
}

extension RegistrarResult where Success == Void {
    /// The operation succeeded.
    public static var succeeded: RegistrarResult { .succeeded(()) }
}
