import CallingTransport

/// What every line of one client shares: the registrar, the server lists, time, randomness, the
/// keepalive scheduler and workers, and the settings.
final class LineContext: Sendable {
    let registrar: any LineRegistrar
    let configuration: CallingClient.Configuration
    let time: TimeSource
    let scheduler: KeepaliveScheduler
    let workers = KeepaliveWorkers()
    let progressStore: (any FailoverProgressStore)?
    let policy: LineStateMachine.Policy
    let random: RandomSource
    let logger: CallingLogger
    private let discovered = Locked(RegistrarServers(primaries: [], backups: []))

    init(
        registrar: any LineRegistrar,
        configuration: CallingClient.Configuration,
        time: TimeSource,
        random: RandomSource,
        progressStore: (any FailoverProgressStore)?,
        logger: CallingLogger
    ) {
        self.registrar = registrar
        self.logger = logger.from("CallingCore")
        self.configuration = configuration
        self.time = time
        self.progressStore = progressStore
        self.scheduler = KeepaliveScheduler(time: time, tolerance: configuration.keepaliveTolerance)
        self.policy = LineStateMachine.Policy(
            retryPolicy: configuration.retryPolicy,
            rehomingWindowMinutes: configuration.rehomingWindowMinutes,
            failbackTooManyRequestsRetries: configuration.failbackTooManyRequestsRetries,
            keepaliveMissLimit: configuration.keepaliveMissLimit ?? registrar.keepaliveMissLimit,
            remembersProgress: progressStore != nil
        )
        self.random = random
    }

    /// The server lists from the last discovery.
    var servers: RegistrarServers {
        get { discovered.withLock { $0 } }
        set { discovered.withLock { $0 = newValue } }
    }
}
