extension CallingClient {
    /// How lines retry, rehome and shut down.
    public struct Configuration: Sendable {
        /// Waits between registration attempts and the primary budget.
        public var retryPolicy: RetryPolicy
        /// The rehoming window, in minutes, used until a primary registration states its own.
        public var rehomingWindowMinutes: ClosedRange<Int>
        /// How often a 429 while moving back to a primary is retried soon, before waiting a
        /// whole rehoming window again (held to 0…65,535).
        public var failbackTooManyRequestsRetries: Int
        /// How long a graceful shutdown (or a ``CallingClient/removeLine(_:)``) may spend
        /// deregistering lines before it stops waiting.
        public var shutdownTimeLimit: Duration
        /// How many lines of a client deregister at once, in a shutdown and through
        /// ``CallingClient/removeLine(_:)`` together: the rest wait their turn, so a server never
        /// sees every line's removal in the same instant.
        public var deregistrationConcurrency: Int
        /// How far a keepalive may be delayed to share a wake-up with others.
        public var keepaliveTolerance: Duration
        /// Events buffered per subscriber that is not reading; older ones are dropped past this.
        public var eventBufferSize: Int
        /// Consecutive keepalive misses that end a registration; `nil` takes the registrar's
        /// (five for Webex Calling, four for contact center). Held to 1…65,535.
        public var keepaliveMissLimit: Int?

        /// Creates a configuration.
        public init(
            retryPolicy: RetryPolicy = .defaults,
            rehomingWindowMinutes: ClosedRange<Int> = 60...120,
            failbackTooManyRequestsRetries: Int = 5,
            shutdownTimeLimit: Duration = .seconds(10),
            deregistrationConcurrency: Int = 64,
            keepaliveTolerance: Duration = .milliseconds(8),
            eventBufferSize: Int = 64,
            keepaliveMissLimit: Int? = nil
        ) {
            self.retryPolicy = retryPolicy
            self.rehomingWindowMinutes = rehomingWindowMinutes
            self.failbackTooManyRequestsRetries = failbackTooManyRequestsRetries
            self.shutdownTimeLimit = shutdownTimeLimit
            self.deregistrationConcurrency = deregistrationConcurrency
            self.keepaliveTolerance = keepaliveTolerance
            self.eventBufferSize = eventBufferSize
            self.keepaliveMissLimit = keepaliveMissLimit
        }

        /// Webex's retry timing, a 60–120 minute rehoming window, 10 s to shut down with at most
        /// 64 deregistrations at once, 8 ms keepalive tolerance, 64 buffered events.
        public static var defaults: Configuration { Configuration() }
    }
}
