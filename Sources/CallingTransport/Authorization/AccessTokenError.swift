/// An error from an ``AccessTokenProvider`` that says whether trying again later can help.
///
/// A line that cannot get a token keeps trying, as after any transient failure (a keepalive
/// miss, a registration retry with backoff), unless the provider's error conforms to this
/// protocol and ``requiresLogin`` is true: only then does it stop with a token error. So a
/// token endpoint that answers 503 for a minute, or a custom provider's own timeout, never
/// stops a line for good. `OAuthError` in CallingAuth conforms.
///
/// Its description is shown to people as it is (in a line's error, or a client's), so it says
/// what to do, as `OAuthError`'s "…; log in again" does.
public protocol AccessTokenError: Error {
    /// Whether no retry can succeed until the user logs in again: the grant or the client was
    /// refused, or there are no tokens.
    var requiresLogin: Bool { get }
}
