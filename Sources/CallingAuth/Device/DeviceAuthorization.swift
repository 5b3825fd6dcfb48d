import CallingTransport
import Foundation

/// A device-flow login (RFC 8628) under way: show the user ``verificationURI`` and ``userCode``
/// (or ``verificationURIComplete``), then wait in ``tokens(clock:)`` while they approve it on
/// another device.
///
/// For machines without a browser: a server over SSH, a container, a desk device. Start one with
/// ``OAuthClient/startDeviceAuthorization()``; hand the tokens to ``TokenStore/login(with:)``.
/// With Webex, the integration must list Webex's device-flow redirect helpers,
/// `https://oauth-helper-{a,k,r}.wbx2.com/helperservice/v1/actions/device/callback`.
public struct DeviceAuthorization: Sendable, CustomStringConvertible {
    /// The code the user types at ``verificationURI``.
    public let userCode: String
    /// Where the user goes to approve.
    public let verificationURI: URL
    /// The same page with the code filled in, when the server gives one.
    public let verificationURIComplete: URL?
    /// How long the codes are valid.
    public let expiresIn: Duration
    /// How long to wait between polls, as the server asked (5 s when it did not say).
    public let interval: Duration
    let deviceCode: Secret
    private let client: OAuthClient

    init(client: OAuthClient, response: HTTPResponse) throws {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.isSuccess else {
            var error = TokenResponse.errorFromBody(object, status: response.status, endpoint: "the device authorization endpoint")
            if error.code == .invalidClient || error.code == .unauthorizedClient {
                error.message += "; the integration must allow the device flow, listing https://oauth-helper-{a,k,r}.wbx2.com/helperservice/v1/actions/device/callback as redirect URIs"
            }
            throw error
        }
        guard let object, let deviceCode = object["device_code"] as? String, !deviceCode.isEmpty,
            let userCode = (object["user_code"] as? String).flatMap(Self.shown), !userCode.isEmpty,
            let verification = (object["verification_uri"] as? String).flatMap(Self.page),
            let expiresIn = (object["expires_in"] as? NSNumber)?.doubleValue, expiresIn >= 1
        else {
            throw OAuthError(
                code: .unexpectedResponse,
                message: "the device authorization endpoint answered HTTP \(response.status) without a usable device_code, user_code, verification_uri (an https page) and expires_in; check its URL",
                httpStatus: response.status
            )
        }
        self.client = client
        self.deviceCode = Secret(deviceCode)
        self.userCode = userCode
        self.verificationURI = verification
        self.verificationURIComplete = (object["verification_uri_complete"] as? String).flatMap(Self.page)
        self.expiresIn = InboundLimits.duration(seconds: expiresIn, in: .seconds(1)...InboundLimits.longestWait)
        self.interval = InboundLimits.duration(seconds: (object["interval"] as? NSNumber)?.doubleValue ?? 5, in: .seconds(1)...InboundLimits.longestWait)
    }

    /// Text the server wants shown to the user, if it is fit to show as it is: what
    /// `InboundLimits.shownText` leaves unchanged (short enough, no control, line break or
    /// bidirectional override that could disguise what is printed).
    private static func shown(_ text: String) -> String? {
        InboundLimits.shownText(text) == text ? text : nil
    }

    /// A page the user is told to open: `https`, or `http` on this machine (the emulator); never
    /// `javascript:`, `file:` or anything else a browser would run or read locally.
    private static func page(_ text: String) -> URL? {
        guard let text = shown(text), let url = URL(string: text), url.host?.isEmpty == false,
            (try? CredentialDestination.check(url, carrying: "the user")) != nil
        else { return nil }
        return url
    }

    /// Polls until the user approves, every ``interval`` (5 s longer after each `slow_down` or
    /// `429`), and returns the tokens. A poll that fails for now (no answer, a `5xx`) is repeated
    /// at the next interval: only the code's lifetime ends the wait.
    ///
    /// - Parameter clock: The clock to wait on; tests pass a manual one.
    /// - Throws: ``OAuthError`` with ``OAuthError/Code/expiredToken`` once ``expiresIn`` has
    ///   passed (or the server says so), ``OAuthError/Code/accessDenied`` when the user declines,
    ///   another ``OAuthError`` for any other refusal; `CancellationError` when the task is
    ///   cancelled (at once, also while waiting); a `TransportError` when the token endpoint's
    ///   address is not one a secret may go to.
    public func tokens(clock: some Clock<Duration> = ContinuousClock()) async throws -> TokenResponse {
        let deadline = clock.now.advanced(by: expiresIn)
        var interval = interval
        while true {
            let next = clock.now.advanced(by: interval)
            guard next < deadline else { throw expired() }
            try await clock.sleep(until: next, tolerance: nil)
            do {
                return try await client.pollDeviceToken(deviceCode)
            } catch let error as OAuthError where error.code == .authorizationPending {
                continue
            } catch let error as OAuthError where error.code == .slowDown || error.httpStatus == 429 {
                interval += .seconds(5)
            } catch let error as OAuthError where (error.httpStatus ?? 0) >= 500 {
                continue
            } catch let error as TransportError where error.code != .insecureDestination {
                continue
            } catch let error as OAuthError where error.code == .expiredToken {
                throw expired()
            } catch let error as OAuthError where error.code == .accessDenied {
                throw OAuthError(
                    code: .accessDenied, message: "the login was declined at \(verificationURI.host ?? "the verification page"); start it again to retry",
                    httpStatus: error.httpStatus, oauthError: error.oauthError
                )
            }
        }
    }

    private func expired() -> OAuthError {
        OAuthError(code: .expiredToken, message: "the code \(userCode) expired before it was approved; start the login again", oauthError: "expired_token")
    }

    /// The user code and where to enter it; never the device code.
    public var description: String {
        "DeviceAuthorization(\(userCode) at \(verificationURI.absoluteString))"
    }
}
