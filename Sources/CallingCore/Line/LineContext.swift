import CallingTransport

/// What every line of one client shares: the registrar, the server lists, time, randomness,
/// the keepalive scheduler and the settings.
final class LineContext: Sendable {
    let registrar: any LineRegistrar
    let configuration: CallingClient.Configuration
    let time: TimeSource
    let random: RandomSource
    let scheduler: KeepaliveScheduler
    let workers = KeepaliveWorkers()
    let progressStore: (any FailoverProgressStore)?
    let keepaliveMissLimit: Int
    private let discovered = Locked(RegistrarServers(primaries: [], backups: []))

    init(
        registrar: any LineRegistrar,
        configuration: CallingClient.Configuration,
        time: TimeSource,
        random: RandomSource,
        progressStore: (any FailoverProgressStore)?
    ) {
        self.registrar = registrar
        self.configuration = configuration
        self.time = time
        self.random = random
        self.progressStore = progressStore
        self.scheduler = KeepaliveScheduler(time: time, tolerance: configuration.keepaliveTolerance)
        self.keepaliveMissLimit = configuration.keepaliveMissLimit ?? registrar.keepaliveMissLimit
    }

    /// The server lists from the last discovery.
    var servers: RegistrarServers {
        get { discovered.withLock { $0 } }
        set { discovered.withLock { $0 = newValue } }
    }

    /// A retry wait with fresh jitter.
    func retryInterval(attempt: Int) -> Duration {
        let policy = configuration.retryPolicy
        return policy.interval(attempt: attempt, jitterSeconds: random.next(in: policy.jitter))
    }
}
