import CallingTransport

/// What every line of one client shares, whatever its registrar: time, randomness, the
/// keepalive scheduler and workers, the progress store and the settings.
final class LineContext: Sendable {
    let configuration: CallingClient.Configuration
    let time: TimeSource
    let scheduler: KeepaliveScheduler
    let workers = KeepaliveWorkers()
    let progressStore: (any FailoverProgressStore)?
    let random: RandomSource
    let logger: CallingLogger

    init(
        configuration: CallingClient.Configuration,
        time: TimeSource,
        random: RandomSource,
        progressStore: (any FailoverProgressStore)?,
        logger: CallingLogger
    ) {
        self.logger = logger.from("CallingCore")
        self.configuration = configuration
        self.time = time
        self.progressStore = progressStore
        self.scheduler = KeepaliveScheduler(time: time, tolerance: configuration.keepaliveTolerance)
        self.random = random
    }

    /// `backend` as this client's lines use it.
    func use(_ backend: any LineRegistrar) -> ClientRegistrar {
        ClientRegistrar(backend, configuration: configuration, remembersProgress: progressStore != nil)
    }
}
