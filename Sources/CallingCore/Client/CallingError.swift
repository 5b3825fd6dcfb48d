/// A client-level failure: discovery, device creation, use after shutdown, a second `run()`.
///
/// Line-level failures are ``LineError``s, delivered as events.
public struct CallingError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was.
    ///
    /// A struct rather than an enum, so that new kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case discoveryFailed = "discovery failed"
            case deviceCreationFailed = "device creation failed"
            case shutDown = "shut down"
            case alreadyRunning = "already running"
            case invalidConfiguration = "invalid configuration"
            case loginRequired = "login required"
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// No server list could be obtained (region lookup or every discovery host failed).
        public static let discoveryFailed = Code(.discoveryFailed)
        /// The registrar could not make a device for a new line.
        public static let deviceCreationFailed = Code(.deviceCreationFailed)
        /// The client is shutting down or has shut down.
        public static let shutDown = Code(.shutDown)
        /// ``CallingClient/run()`` was called while (or after) it ran; a client runs once.
        public static let alreadyRunning = Code(.alreadyRunning)
        /// A setting cannot work (for example a Mobius `domain` that is not a host name).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The access token was refused and no refresh can help: the refresh token (or the
        /// given token) was refused, or there are no tokens. Only a new login fixes it.
        public static let loginRequired = Code(.loginRequired)

        /// A short name for the code.
        public var description: String { wrapped.rawValue }
    }

    /// What kind of failure this was.
    public var code: Code
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The code and message.
    public var description: String { "\(code): \(message)" }
}
