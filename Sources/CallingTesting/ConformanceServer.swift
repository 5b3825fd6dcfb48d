import CallingCore

/// The server behind a registrar under test, as ``RegistrarConformance`` steers it.
///
/// Implement it over your test server's controls: the emulator's admin calls for Webex Calling,
/// `kamcmd` for Kamailio, or a fake of your own backend.
public protocol ConformanceServer: Sendable {
    /// Whether the server holds the registration of `device` now.
    func holds(_ device: RegisteredDevice) async throws -> Bool

    /// Forgets every registration, as a server restarted without its state does.
    func forgetRegistrations() async throws

    /// While `retryAfter` is set, the server answers keepalives "slow down, try again after
    /// `retryAfter`" (HTTP 429, or SIP 503 with `Retry-After`); `nil` ends it.
    func setSlowingDown(retryAfter: Duration?) async throws

    /// Takes `server` down (it neither registers nor answers pings) or, with `false`, brings it
    /// back.
    func setDown(_ down: Bool, _ server: RegistrarServer) async throws

    /// While `true`, the server receives registration requests and never answers them.
    func setSilent(_ silent: Bool) async throws
}
