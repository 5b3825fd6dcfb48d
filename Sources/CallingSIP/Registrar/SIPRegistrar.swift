import CallingCore
import CallingTransport
import Foundation

/// A standard SIP registrar (RFC 3261 §10): each line is one contact of the user's address of
/// record, registered with `REGISTER` over UDP or TCP.
///
/// A line's keepalive is the refresh: `REGISTER` again (same Call-ID, a higher CSeq) at half
/// the lifetime the registrar granted. The health ping is an `OPTIONS`; deregistering sends
/// `Expires: 0` for the line's contact. Digest challenges (`401 WWW-Authenticate` and
/// `407 Proxy-Authenticate`, MD5 or SHA-256, with or without `qop=auth`) are answered, and the
/// last one is reused so that a refresh usually takes one round trip; a `stale` nonce is answered
/// again without counting as a failure, while a second challenge after answering a fresh one
/// means the password is wrong, which is final. `423` is answered once with the registrar's
/// `Min-Expires`; `5xx` (with `Retry-After`) and no answer are retryable; `403`, `404` and other
/// refusals are final.
///
/// ```swift
/// let registrar = SIPRegistrar(configuration: .init(
///     addressOfRecord: SIPAddress("sip:alice@pbx.example.com")!,
///     password: Secret(password)))
/// try await withCallingClient(registrar: registrar) { client in … }
/// ```
public struct SIPRegistrar: LineRegistrar {
    /// How one `REGISTER` exchange (with its challenges and a raised expiry) ended.
    private enum Exchange {
        case accepted(SIPMessage, contact: String, expires: Int)
        case failed(LineError, retryAfter: Duration?, final: Bool)
    }

    /// What every line of the registrar shares: a socket per registrar, the sequence numbers,
    /// the last challenge per registrar.
    private struct Shared {
        var flows: [SIPAddress: SIPFlow] = [:]
        var sequence: UInt32 = 0
        var challenges: [SIPAddress: (challenge: DigestChallenge, proxy: Bool)] = [:]
    }

    /// Requests in one exchange: a challenge, a stale nonce, a raised expiry and the answer.
    private static let maximumRequestsPerExchange = 5

    /// Who registers, where and how.
    public let configuration: Configuration
    private let time: TimeSource
    private let logger: CallingLogger
    private let shared = Locked(Shared())

    /// Creates a registrar.
    ///
    /// - Parameters:
    ///   - configuration: The address of record, password, transport and registrars.
    ///   - clock: The clock for retransmissions and timeouts; tests pass a manual one.
    ///   - logger: Where each request is logged (`debug`) with its Call-ID, CSeq and outcome.
    public init(configuration: Configuration, clock: some Clock<Duration> = ContinuousClock(), logger: CallingLogger = .disabled) {
        self.configuration = configuration
        self.time = TimeSource(clock: clock, date: { Date() })
        self.logger = logger.from("CallingSIP")
    }

    /// ``Configuration/keepaliveMissLimit``.
    public var keepaliveMissLimit: Int { configuration.keepaliveMissLimit }

    /// The configured registrars, or the address of record's domain.
    ///
    /// - Throws: `CallingError` with code `CallingError.Code.invalidConfiguration` for an
    ///   address of record without a user, an `expires` outside
    ///   `InboundLimits.registrationLifetime` (zero would remove the binding) or a miss limit
    ///   below one, before anything is sent.
    public func discoverServers() async throws -> RegistrarServers {
        let aor = configuration.addressOfRecord
        guard !aor.user.isEmpty else {
            throw CallingError(code: .invalidConfiguration, message: "the address of record \(aor) names no user; use sip:user@host")
        }
        let lifetimes = InboundLimits.registrationLifetime
        guard lifetimes.contains(configuration.expires), configuration.keepaliveMissLimit >= 1 else {
            throw CallingError(
                code: .invalidConfiguration,
                message: "expires (\(configuration.expires) s) must be \(lifetimes.lowerBound)–\(lifetimes.upperBound) s and keepaliveMissLimit (\(configuration.keepaliveMissLimit)) at least 1"
            )
        }
        let primaries = configuration.registrars.isEmpty ? [configuration.addressOfRecord.domain] : configuration.registrars
        return RegistrarServers(primaries: primaries.map(Self.server), backups: configuration.backupRegistrars.map(Self.server))
    }

    /// A new contact of the address of record, named by a random instance id.
    public func makeDevice() async throws -> LineDevice {
        LineDevice(userID: configuration.addressOfRecord.description, deviceURL: "urn:uuid:\(UUID.random().uuidString.lowercased())")
    }

    /// Binds the line's contact at `server`.
    public func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
        guard let registrar = SIPAddress(server.url.absoluteString) else { return .final(Self.notSIP(server)) }
        switch await exchange(Self.callID(device.deviceURL), at: registrar, expires: configuration.expires, replacing: nil) {
        case .accepted(let response, let contact, let expires):
            return Self.registration(accepted: response, contact: contact, requested: expires, at: server, for: device, of: configuration.addressOfRecord)
        case .failed(let error, let retryAfter, let final):
            return Self.failure(error, retryAfter: retryAfter, final: final)
        }
    }

    /// Refreshes the binding; a contact that changed with a new connection replaces the old one.
    public func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> {
        let device = registration.device
        guard let registrar = SIPAddress(device.server.url.absoluteString) else { return .final(Self.notSIP(device.server)) }
        switch await exchange(Self.callID(device.clientDeviceURL), at: registrar, expires: configuration.expires, replacing: device.deviceID) {
        case .accepted: return .succeeded
        case .failed(let error, let retryAfter, let final): return Self.failure(error, retryAfter: retryAfter, final: final)
        }
    }

    /// Removes the binding (`Expires: 0` for the line's contact).
    public func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> {
        guard let registrar = SIPAddress(device.server.url.absoluteString) else { return .final(Self.notSIP(device.server)) }
        switch await exchange(Self.callID(device.clientDeviceURL), at: registrar, expires: 0, replacing: device.deviceID) {
        case .accepted: return .succeeded
        case .failed(let error, let retryAfter, let final): return Self.failure(error, retryAfter: retryAfter, final: final)
        }
    }

    /// Whether the registrar answers an `OPTIONS` at all.
    public func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool {
        guard let registrar = SIPAddress(server.url.absoluteString) else { return false }
        let flow = flow(to: registrar)
        guard let socket = try? await flow.socket() else { return false }
        let branch = Self.newBranch()
        let request = message(
            "OPTIONS", to: registrar, callID: "\(UUID.random().uuidString.lowercased())@swift-calling", branch: branch, socket: socket,
            extra: [.init(name: "Accept", value: "application/sdp")]
        )
        return (try? await send(request, branch: branch, through: flow, to: registrar)) != nil
    }

    // MARK: The REGISTER exchange

    /// Sends `REGISTER` for the line's contact until the registrar accepts or refuses it:
    /// answering challenges, and raising a too brief `expires` once.
    private func exchange(_ callID: String, at registrar: SIPAddress, expires requested: Int, replacing registered: String?) async -> Exchange {
        let flow = flow(to: registrar)
        var expires = requested
        var authorization = shared.withLock { $0.challenges[registrar] }
        var answeredFreshChallenge = false
        var raisedExpiry = false
        var metadata: [String: LineError.Value] = [
            "host": .text(registrar.hostAndPort), "transport": .text(configuration.transport.rawValue), "callId": .text(callID),
        ]
        for _ in 0..<Self.maximumRequestsPerExchange {
            let socket: SIPSocket
            do {
                socket = try await flow.socket()
            } catch {
                return unreachable(registrar, error, metadata)
            }
            let contact = contactAddress(callID, on: socket)
            var contacts = ["<\(contact)>;expires=\(expires)"]
            if let registered, registered != contact {
                contacts.append("<\(registered)>;expires=0")
            }
            let branch = Self.newBranch()
            var extra = contacts.map { SIPMessage.Header(name: "Contact", value: $0) } + [.init(name: "Expires", value: String(expires))]
            let sequence = nextSequence()
            if let authorization {
                extra.append(.init(name: authorization.proxy ? "Proxy-Authorization" : "Authorization", value: answer(authorization.challenge, to: registrar, count: sequence)))
            }
            let request = message("REGISTER", to: registrar, callID: callID, branch: branch, socket: socket, sequence: sequence, extra: extra)
            let response: SIPMessage
            do {
                response = try await send(request, branch: branch, through: flow, to: registrar)
            } catch {
                return unreachable(registrar, error, metadata)
            }
            let status = response.status ?? 0
            metadata["sipStatus"] = .number(status)
            switch status {
            case 200..<300:
                return .accepted(response, contact: contact, expires: expires)
            case 401, 407:
                let proxy = status == 407
                guard let challenge = Self.challenge(in: response, proxy: proxy) else {
                    return .failed(LineError(code: .tokenError, detail: "\(registrar.hostAndPort) asked for authentication other than a digest with MD5 or SHA-256, which this client cannot answer", metadata: metadata), retryAfter: nil, final: true)
                }
                if answeredFreshChallenge && !challenge.stale {
                    shared.withLock { _ = $0.challenges.removeValue(forKey: registrar) }
                    return .failed(LineError(code: .tokenError, detail: "\(registrar.hostAndPort) refused the credentials of \(authenticationUser) (challenged again after a fresh answer); check the SIP user and password", metadata: metadata), retryAfter: nil, final: true)
                }
                answeredFreshChallenge = true
                authorization = (challenge, proxy)
                shared.withLock { $0.challenges[registrar] = (challenge, proxy) }
            case 423:
                guard !raisedExpiry, let minimum = response["Min-Expires"].flatMap({ Int($0) }), minimum > expires, InboundLimits.registrationLifetime.contains(minimum) else {
                    return .failed(LineError(code: .badRequest, detail: "\(registrar.hostAndPort) found the registration interval too brief and gave no usable Min-Expires; raise expires", metadata: metadata), retryAfter: nil, final: true)
                }
                raisedExpiry = true
                expires = minimum
            default:
                return Self.refusal(response, from: registrar, metadata: metadata)
            }
        }
        return .failed(LineError(code: .defaultError, detail: "\(registrar.hostAndPort) kept challenging without accepting or refusing", metadata: metadata), retryAfter: nil, final: false)
    }

    /// Sends a request and logs its outcome: method, Call-ID, CSeq and the status or failure.
    private func send(_ request: SIPMessage, branch: String, through flow: SIPFlow, to registrar: SIPAddress) async throws(SIPFlow.Failure) -> SIPMessage {
        func metadata(_ outcome: (key: String, value: String)) -> [String: String] {
            [
                "host": registrar.hostAndPort, "transport": configuration.transport.rawValue, "callId": request["Call-ID"] ?? "",
                "cseq": request["CSeq"] ?? "", outcome.key: outcome.value,
            ]
        }
        do {
            let response = try await flow.send(request, branch: branch)
            logger.debug("SIP request answered", metadata: metadata(("status", String(response.status ?? 0))))
            return response
        } catch {
            logger.debug("SIP request failed", metadata: metadata(("error", error.description)))
            throw error
        }
    }

    /// A final answer other than success, a challenge or `423`.
    private static func refusal(_ response: SIPMessage, from registrar: SIPAddress, metadata: [String: LineError.Value]) -> Exchange {
        let status = response.status ?? 0
        var reason = ""
        if case .response(_, let text) = response.startLine {
            reason = " \(text.prefix(80))"
        }
        let answered = "\(registrar.hostAndPort) answered \(status)\(reason)"
        // SIP's Retry-After is delta-seconds, perhaps followed by a comment or parameters.
        let retryAfter = response["Retry-After"].flatMap { seconds(String($0.prefix(while: \.isASCIIDigit))) }.map { InboundLimits.wait(.seconds($0)) }
        switch status {
        case 403: return .failed(LineError(code: .forbidden, detail: "\(answered): the user may not register here; check the user and domain", metadata: metadata), retryAfter: nil, final: true)
        case 404: return .failed(LineError(code: .notFound, detail: "\(answered): the registrar does not know the user; check the address of record", metadata: metadata), retryAfter: nil, final: true)
        case 500: return .failed(LineError(code: .serverError, detail: "\(answered); trying again", metadata: metadata), retryAfter: retryAfter, final: false)
        case 501...599: return .failed(LineError(code: .serviceUnavailable, detail: "\(answered); trying again", metadata: metadata), retryAfter: retryAfter, final: false)
        case 400...499: return .failed(LineError(code: .badRequest, detail: "\(answered): the registrar refused the request", metadata: metadata), retryAfter: nil, final: true)
        default: return .failed(LineError(code: .defaultError, detail: "\(answered): the registrar declined", metadata: metadata), retryAfter: nil, final: true)
        }
    }

    private func unreachable(_ registrar: SIPAddress, _ failure: SIPFlow.Failure, _ metadata: [String: LineError.Value]) -> Exchange {
        .failed(
            LineError(code: .defaultError, detail: "could not reach \(registrar.hostAndPort) over \(configuration.transport): \(failure)", metadata: metadata, cause: failure),
            retryAfter: nil, final: false
        )
    }

    private static func failure<Success>(_ error: LineError, retryAfter: Duration?, final: Bool) -> RegistrarResult<Success> {
        final ? .final(error) : .retryable(error, retryAfter: retryAfter)
    }

    // MARK: Messages

    /// A request from the address of record to `registrar`, with the headers every request has.
    private func message(
        _ method: String, to registrar: SIPAddress, callID: String, branch: String, socket: SIPSocket, sequence: UInt32? = nil, extra: [SIPMessage.Header]
    ) -> SIPMessage {
        let aor = "<\(configuration.addressOfRecord)>"
        let headers: [SIPMessage.Header] = [
            .init(name: "Via", value: "SIP/2.0/\(configuration.transport.viaName) \(socket.localHost):\(socket.localPort);branch=\(branch);rport"),
            .init(name: "Max-Forwards", value: "70"),
            .init(name: "From", value: "\(aor);tag=\(callID.prefix(8))"),
            .init(name: "To", value: method == "REGISTER" ? aor : "<\(registrar)>"),
            .init(name: "Call-ID", value: callID),
            .init(name: "CSeq", value: "\(sequence ?? nextSequence()) \(method)"),
        ] + extra + [.init(name: "User-Agent", value: configuration.userAgent)]
        return SIPMessage(startLine: .request(method: method, uri: registrar.description), headers: headers, body: [])
    }

    /// The line's contact on this socket: the address of record's user at the local address,
    /// told apart from the user's other lines by a `line` parameter.
    private func contactAddress(_ callID: String, on socket: SIPSocket) -> String {
        let user = configuration.addressOfRecord.user.isEmpty ? "" : "\(configuration.addressOfRecord.user)@"
        return "sip:\(user)\(socket.localHost):\(socket.localPort);transport=\(configuration.transport);line=\(callID.filter(\.isHexDigit).prefix(12))"
    }

    /// The `Authorization` value for `challenge`, counting `count` as the nonce count (the
    /// CSeq, which rises with every request).
    private func answer(_ challenge: DigestChallenge, to registrar: SIPAddress, count: UInt32) -> String {
        DigestCredentials(username: authenticationUser, password: configuration.password)
            .answer(challenge, method: "REGISTER", uri: registrar.description, nonceCount: count, cnonce: Self.randomHex(16))
    }

    private var authenticationUser: String {
        configuration.authenticationUser ?? configuration.addressOfRecord.user
    }

    /// The challenge to answer: SHA-256 when offered (RFC 8760), else MD5.
    private static func challenge(in response: SIPMessage, proxy: Bool) -> DigestChallenge? {
        let challenges = response.fields(proxy ? "Proxy-Authenticate" : "WWW-Authenticate").compactMap(DigestChallenge.init(header:))
        return challenges.first { $0.algorithm == .sha256 } ?? challenges.first
    }

    /// The registration a `2xx` to a `REGISTER` of `contact` made: refreshed at half the
    /// lifetime granted, which is held to ``InboundLimits/registrationLifetime``. A lifetime of
    /// zero (or a negative one) means the registrar removed the binding as it answered: retried,
    /// not taken for a registration.
    package static func registration(
        accepted response: SIPMessage, contact: String, requested: Int, at server: RegistrarServer, for device: LineDevice, of addressOfRecord: SIPAddress
    ) -> RegistrarResult<LineRegistration> {
        let granted = Self.granted(response, contact: contact, requested: requested)
        guard granted > 0 else {
            let host = SIPAddress(server.url.absoluteString)?.hostAndPort ?? server.description
            return .retryable(LineError(
                code: .defaultError, detail: "\(host) accepted the registration with a lifetime of \(granted) s, which removes it; trying again",
                metadata: ["host": .text(host), "sipStatus": .number(response.status ?? 0)]
            ))
        }
        let lifetime = InboundLimits.clamp(granted, to: InboundLimits.registrationLifetime)
        return .succeeded(
            LineRegistration(
                device: RegisteredDevice(deviceID: contact, server: server, clientDeviceURL: device.deviceURL),
                addresses: [addressOfRecord.description],
                keepaliveInterval: .milliseconds(lifetime * 500),
                details: SIPDetails(expires: .seconds(lifetime), bindings: response.values("Contact").count)
            )
        )
    }

    /// The lifetime granted to `contact`: its `expires` in the answer's Contact list, else the
    /// answer's `Expires`, else what was asked.
    private static func granted(_ response: SIPMessage, contact: String, requested: Int) -> Int {
        let ours = response.values("Contact").first { $0.hasPrefix("<\(contact)>") }.map(SIPHeaderValue.init)
        return ours?.parameters["expires"].flatMap(seconds) ?? response["Expires"].flatMap(seconds) ?? requested
    }

    /// A whole number of seconds (delta-seconds, RFC 3261 §25.1): digits, perhaps signed; more
    /// than an `Int` holds counts as `Int.max`, which the caller's bound then cuts down.
    private static func seconds(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text) ?? (text.hasPrefix("-") ? Int.min : Int.max)
    }

    private func flow(to registrar: SIPAddress) -> SIPFlow {
        shared.withLock { shared in
            if let flow = shared.flows[registrar] { return flow }
            let flow = SIPFlow(registrar: registrar, transport: configuration.transport, timers: configuration.timers, time: time)
            shared.flows[registrar] = flow
            return flow
        }
    }

    /// The next CSeq: one counter for every request, so each registration's rise.
    private func nextSequence() -> UInt32 {
        shared.withLock { shared in
            shared.sequence = shared.sequence % 0x7FFF_FFFF + 1
            return shared.sequence
        }
    }

    /// A line's Call-ID, the same for all its requests: its instance id.
    private static func callID(_ deviceURL: String) -> String {
        (deviceURL.hasPrefix("urn:uuid:") ? String(deviceURL.dropFirst(9)) : deviceURL) + "@swift-calling"
    }

    private static func server(_ address: SIPAddress) -> RegistrarServer {
        RegistrarServer(url: URL(string: address.description)!)
    }

    private static func notSIP(_ server: RegistrarServer) -> LineError {
        LineError(code: .badRequest, detail: "\(server) is not a SIP registrar address (sip:host:port)")
    }

    /// A branch naming one transaction, with RFC 3261's magic cookie.
    private static func newBranch() -> String {
        "z9hG4bK" + randomHex(16)
    }

    private static func randomHex(_ count: Int) -> String {
        String(UUID.random().uuidString.lowercased().filter { $0 != "-" }.prefix(count))
    }
}
