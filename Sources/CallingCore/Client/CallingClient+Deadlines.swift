extension CallingClient {
    /// The single deadlines the client's lines wait for (retries, failovers, rehoming checks),
    /// earliest first, on the client's clock. Tests on a manual clock read them instead of
    /// the clock's sleepers: one scheduler sleeps for every line.
    package var scheduledDeadlines: [Duration] {
        context.scheduler.deadlines
    }

    /// How many keepalives and single deadlines the scheduler holds: none once every line has
    /// stopped.
    package var scheduledCount: Int {
        context.scheduler.scheduledCount
    }

    /// Returns once some line waits for `deadline` (at once if one does), so a test moves a
    /// manual clock only after the line has armed its wait.
    package func waitForDeadline(at deadline: Duration) async {
        await context.scheduler.waitForDeadlines { $0.contains(deadline) }
    }

    /// Returns once at least `count` deadlines are waited for (at once if they are).
    package func waitForDeadlines(_ count: Int = 1) async {
        await context.scheduler.waitForDeadlines { $0.count >= count }
    }
}
