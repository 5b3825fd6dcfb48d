import CallingCore

/// What a SIP registrar said about a registration: the lifetime it granted and how many
/// contacts the user has bound there, this line's included.
///
/// Read it with `registration.details(as: SIPDetails.self)` or `info.details(as:)`.
public struct SIPDetails: RegistrationDetails {
    private let expiresSeconds: Int32
    private let contacts: Int32

    /// Creates details.
    public init(expires: Duration, bindings: Int) {
        expiresSeconds = Int32(clamping: expires.components.seconds)
        contacts = Int32(clamping: bindings)
    }

    /// How long the registrar keeps the binding without a refresh.
    public var expires: Duration { .seconds(expiresSeconds) }

    /// The user's bindings at the registrar when it last answered.
    public var bindings: Int { Int(contacts) }
}
