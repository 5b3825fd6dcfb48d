import CallingAuth
import CallingTransport
import Foundation

extension WebexEmulator {
    /// `POST /v1/device/authorize`: a device code for the client, approved at
    /// `/v1/device/verify?user_code=…` (opening it approves the test user, as `/v1/authorize` does).
    func deviceAuthorize(_ request: HTTPRequest, baseURL: URL) -> HTTPResponse {
        let form = Self.form(request)
        guard form["client_id"] == configuration.clientID else {
            return Self.json(400, ["errors": [["description": "invalid_client: unknown client_id"]]])
        }
        let deviceCode = "emu-dc-" + PKCE.randomToken()
        let letters = Array("BCDFGHJKLMNPQRSTVWXZ")
        let userCode = String((0..<8).map { _ in letters.randomElement()! }).enumerated()
            .map { $0.offset == 4 ? "-\($0.element)" : "\($0.element)" }.joined()
        deviceGrants[deviceCode] = DeviceGrant(
            userCode: userCode, scope: form["scope"] ?? "", expiresAt: now() + configuration.deviceCodeLifetime.timeInterval,
            status: .pending, slowDownNext: false
        )
        let verify = baseURL.appending(path: "v1/device/verify").absoluteString
        return Self.json(200, [
            "device_code": deviceCode, "user_code": userCode, "verification_uri": verify,
            "verification_uri_complete": "\(verify)?user_code=\(userCode)",
            "expires_in": Int(configuration.deviceCodeLifetime.timeInterval), "interval": configuration.devicePollInterval,
        ])
    }

    /// `POST /v1/device/token`: RFC 8628's answers, the client authenticated with HTTP Basic.
    func deviceToken(_ request: HTTPRequest) -> HTTPResponse {
        let form = Self.form(request)
        let expected = "Basic " + Data("\(configuration.clientID):\(configuration.clientSecret.value)".utf8).base64EncodedString()
        guard request.headers["Authorization"] == expected, form["client_id"] == configuration.clientID else {
            return oauthError(401, "invalid_client", "unknown client or wrong client secret")
        }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code" else {
            return oauthError(400, "unsupported_grant_type", "grant_type must be urn:ietf:params:oauth:grant-type:device_code")
        }
        guard let code = form["device_code"], var grant = deviceGrants[code] else {
            return oauthError(400, "invalid_grant", "the device code is unknown or was already used")
        }
        guard now() < grant.expiresAt else {
            deviceGrants[code] = nil
            return oauthError(400, "expired_token", "the device code expired")
        }
        if grant.slowDownNext {
            grant.slowDownNext = false
            deviceGrants[code] = grant
            return oauthError(400, "slow_down", "poll less often")
        }
        switch grant.status {
        case .pending:
            return oauthError(400, "authorization_pending", "the user has not approved yet")
        case .denied:
            deviceGrants[code] = nil
            return oauthError(400, "access_denied", "the user declined")
        case .approved:
            deviceGrants[code] = nil
            return issueTokens(userID: configuration.userID, scope: grant.scope, refreshToken: nil)
        }
    }

    /// `GET /v1/device/verify?user_code=…`: the user's approval (or, when the emulator is set to
    /// deny authorizations, refusal).
    func deviceVerify(_ query: [String: String]) -> HTTPResponse {
        let approved = setDeviceGrant(userCode: query["user_code"], to: configuration.denyAuthorization ? "deny" : "approve")
        return approved ? Self.page(200, "Device approved. Return to your device.") : Self.page(404, "Unknown or expired code.")
    }

    /// Approves, denies or slows down the pending device grant with `userCode` (every pending
    /// one when `nil`); false when there is none.
    @discardableResult
    func setDeviceGrant(userCode: String?, to action: String) -> Bool {
        let matching = deviceGrants.filter { $0.value.status == .pending && (userCode == nil || $0.value.userCode == userCode) }
        for (code, var grant) in matching {
            switch action {
            case "approve": grant.status = .approved
            case "deny": grant.status = .denied
            default: grant.slowDownNext = true
            }
            deviceGrants[code] = grant
        }
        return !matching.isEmpty
    }

    /// A form body's fields; the first of a repeated name wins.
    static func form(_ request: HTTPRequest) -> [String: String] {
        Dictionary(FormEncoding.decode(String(decoding: request.body ?? Data(), as: UTF8.self)), uniquingKeysWith: { first, _ in first })
    }
}
