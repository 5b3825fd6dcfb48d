import CallingCore

/// Registers or deregisters lines with at most ``window`` under way, as an app with many lines
/// would pace them. Without a limit every line's request, task and answer waits in memory at
/// once, and the RSS figures measure that queue instead of the lines.
struct LinePacer {
    enum Outcome { case registered, unregistered }

    static let window = 256

    private let outcome: Outcome
    /// Subscriptions of the lines started, oldest first; those before `oldest` are done.
    private var pending: [LineEvents] = []
    private var oldest = 0

    init(waitingFor outcome: Outcome) {
        self.outcome = outcome
    }

    /// Starts `line`'s registration or deregistration, first waiting for the oldest one under
    /// way if the window is full.
    mutating func start(_ line: Line) async throws {
        pending.append(line.events)
        switch outcome {
        case .registered: await line.register()
        case .unregistered: await line.deregister()
        }
        if pending.count - oldest == Self.window {
            try await wait(pending[oldest])
            oldest += 1
            if oldest == Self.window {
                pending.removeFirst(oldest)
                oldest = 0
            }
        }
    }

    /// Waits for every line still under way.
    mutating func finish() async throws {
        for events in pending[oldest...] {
            try await wait(events)
        }
        pending = []
        oldest = 0
    }

    private func wait(_ events: LineEvents) async throws {
        for await event in events {
            switch (outcome, event) {
            case (.registered, .registered), (.unregistered, .unregistered): return
            case (_, .error(let error)): throw BenchmarkError("a line failed: \(error)")
            default: continue
            }
        }
    }
}
