import CallingTransport

extension SIPRegistrar {
    /// Who registers, where, over what, and for how long.
    public struct Configuration: Sendable {
        /// The user's address of record, for example `sip:alice@example.com`: every line of this
        /// registrar is one contact (one binding) of it.
        public var addressOfRecord: SIPAddress
        /// The digest password. Only its hash goes on the wire; it is never printed.
        public var password: Secret
        /// The name to authenticate as, when it is not the address of record's user.
        public var authenticationUser: String?
        /// UDP or TCP.
        public var transport: SIPTransport
        /// The registrars to try first, in order; the address of record's domain when empty.
        public var registrars: [SIPAddress]
        /// Registrars to fail over to when the primaries keep failing.
        public var backupRegistrars: [SIPAddress]
        /// The registration lifetime asked for, in seconds; the registrar may grant less, and
        /// lines refresh at half of what it grants.
        public var expires: Int
        /// The transaction timers (retransmission and timeout).
        public var timers: SIPTimers
        /// The `User-Agent` header.
        public var userAgent: String
        /// Failed refreshes after which a line counts as unregistered; two by default, because
        /// refreshes run at half the granted lifetime, so after two the registrar has let the
        /// binding lapse.
        public var keepaliveMissLimit: Int

        /// Creates a configuration.
        public init(
            addressOfRecord: SIPAddress,
            password: Secret,
            authenticationUser: String? = nil,
            transport: SIPTransport = .udp,
            registrars: [SIPAddress] = [],
            backupRegistrars: [SIPAddress] = [],
            expires: Int = 3600,
            timers: SIPTimers = .defaults,
            userAgent: String = "swift-calling/\(SwiftCalling.version)",
            keepaliveMissLimit: Int = 2
        ) {
            self.addressOfRecord = addressOfRecord
            self.password = password
            self.authenticationUser = authenticationUser
            self.transport = transport
            self.registrars = registrars
            self.backupRegistrars = backupRegistrars
            self.expires = expires
            self.timers = timers
            self.userAgent = userAgent
            self.keepaliveMissLimit = keepaliveMissLimit
        }
    }
}
