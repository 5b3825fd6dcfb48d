import CallingTransport

/// What every line of one client shares, whatever its registrar: time, randomness, the
/// keepalive scheduler and workers, the progress store, the discovered server lists, the
/// settings and the policies made of them.
final class LineContext: Sendable {
    let configuration: CallingClient.Configuration
    let time: TimeSource
    let scheduler: KeepaliveScheduler
    let workers = KeepaliveWorkers()
    let progressStore: (any FailoverProgressStore)?
    let serverLists = ServerLists()
    private let policies = Locked<[Int: LineStateMachine.Policy]>([:])
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
        ClientRegistrar(backend, policy: policy(keepaliveMissLimit: configuration.keepaliveMissLimit ?? backend.keepaliveMissLimit), serverLists: serverLists)
    }

    /// The policy for lines whose registrar gives up after `keepaliveMissLimit` misses: one
    /// object for each limit, however many registrars (a gateway has one per user).
    private func policy(keepaliveMissLimit: Int) -> LineStateMachine.Policy {
        policies.withLock { policies in
            if let known = policies[keepaliveMissLimit] {
                return known
            }
            let policy = LineStateMachine.Policy(
                retryPolicy: configuration.retryPolicy,
                rehomingWindowMinutes: configuration.rehomingWindowMinutes,
                failbackTooManyRequestsRetries: configuration.failbackTooManyRequestsRetries,
                keepaliveMissLimit: keepaliveMissLimit,
                remembersProgress: progressStore != nil
            )
            policies[keepaliveMissLimit] = policy
            return policy
        }
    }
}
