import CallingTransport

/// Delivers a line's events to every current subscriber, each through its own bounded stream.
///
/// A struct around its locked state (copies share it), so a line pays for one allocation here.
/// A subscription's termination handler holds the state until it runs and removes itself.
struct EventBroadcaster: Sendable {
    private struct State {
        var subscribers: [UInt64: AsyncStream<LineEvent>.Continuation] = [:]
        var nextID: UInt64 = 0
        var finished = false
    }

    private let state = Locked(State())
    private let bufferSize: Int

    init(bufferSize: Int) {
        self.bufferSize = bufferSize
    }

    /// A new subscription; already finished if the broadcaster is.
    func subscribe() -> LineEvents {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LineEvent.self, bufferingPolicy: .bufferingNewest(bufferSize)
        )
        let id = state.withLock { state -> UInt64? in
            guard !state.finished else { return nil }
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        if let id {
            let state = self.state
            continuation.onTermination = { _ in
                state.withLock { state in
                    state.subscribers.removeValue(forKey: id)
                    if state.subscribers.isEmpty {
                        // A line nobody listens to keeps no table: a gateway has many.
                        state.subscribers = [:]
                    }
                }
            }
        } else {
            continuation.finish()
        }
        return LineEvents(stream)
    }

    /// Yields outside the lock. The usual single subscriber is taken out without building an
    /// array: a line emits for every registration and keepalive trouble, across many lines.
    func emit(_ event: LineEvent) {
        let (single, several) = state.withLock { state in
            state.subscribers.count == 1 ? (state.subscribers.first?.value, []) : (nil, Array(state.subscribers.values))
        }
        single?.yield(event)
        for subscriber in several {
            subscriber.yield(event)
        }
    }

    func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        subscribers.forEach { $0.finish() }
    }
}
