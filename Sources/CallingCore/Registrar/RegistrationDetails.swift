/// What a backend knows about a registration beyond what every backend has: Mobius's voice
/// portal numbers and call keepalive interval, a SIP registrar's contacts and expiry.
///
/// A registrar attaches its own type to ``LineRegistration/details``; the app reads it back with
/// ``LineRegistration/details(as:)`` or ``LineInfo/details(as:)``. A line keeps its registration
/// for as long as it is registered: keep the type small (it is stored in place up to three words).
public protocol RegistrationDetails: Sendable, Equatable {}

extension RegistrationDetails {
    /// Whether `other` is the same type with the same value.
    func isEqual(to other: (any RegistrationDetails)?) -> Bool {
        (other as? Self) == self
    }
}

/// Compares two optional details by type and value.
func sameDetails(_ lhs: (any RegistrationDetails)?, _ rhs: (any RegistrationDetails)?) -> Bool {
    guard let lhs else { return rhs == nil }
    return lhs.isEqual(to: rhs)
}
