import CallingCore

/// What Mobius says about a registration beyond what every backend has: the call keepalive
/// interval and the voicemail portal's number and extension.
///
/// Read it with `registration.details(as: MobiusDetails.self)` or `info.details(as:)`, or take
/// the whole documented Line object with `info.mobius`. Packed into three words, so a
/// registration stores it in place.
public struct MobiusDetails: RegistrationDetails {
    private let portalNumber: Int
    private let portalExtension: Int
    private let callKeepaliveSeconds: Int32
    private let present: UInt8

    /// Creates details; `nil` for what the answer did not say.
    public init(callKeepaliveInterval: Duration?, voicePortalNumber: Int?, voicePortalExtension: Int?) {
        portalNumber = voicePortalNumber ?? 0
        portalExtension = voicePortalExtension ?? 0
        callKeepaliveSeconds = Int32(clamping: callKeepaliveInterval?.components.seconds ?? 0)
        present = (voicePortalNumber == nil ? 0 : 1) | (voicePortalExtension == nil ? 0 : 2) | (callKeepaliveInterval == nil ? 0 : 4)
    }

    /// How often calls send their own keepalives, when Mobius said.
    public var callKeepaliveInterval: Duration? {
        present & 4 == 0 ? nil : .seconds(callKeepaliveSeconds)
    }

    /// The voicemail portal number, when Mobius said.
    public var voicePortalNumber: Int? {
        present & 1 == 0 ? nil : portalNumber
    }

    /// The voicemail portal extension, when Mobius said.
    public var voicePortalExtension: Int? {
        present & 2 == 0 ? nil : portalExtension
    }
}
