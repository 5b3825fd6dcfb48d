import CallingCore

/// Adds, registers and deregisters lines with at most ``window`` under way at once, as an app
/// with many lines would pace them. Without a limit every line's request, task and answer
/// waits in memory at once, and the RSS figures measure that queue instead of the lines; one at
/// a time, the figures measure one round trip's latency instead of the client's throughput.
package enum LinePacer {
    package static let window = 256

    /// Runs `body` for each of `0..<count`, at most ``window`` at once; returns what they
    /// returned, in the order they finished.
    package static func forEach<Result: Sendable>(
        _ count: Int,
        _ body: @escaping @Sendable (Int) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: Result.self) { group in
            var results: [Result] = []
            results.reserveCapacity(count)
            var started = 0
            while started < min(window, count) {
                group.addTask { [started] in try await body(started) }
                started += 1
            }
            while let result = try await group.next() {
                results.append(result)
                if started < count {
                    group.addTask { [started] in try await body(started) }
                    started += 1
                }
            }
            return results
        }
    }

    /// Registers `line` and waits until it is registered.
    package static func register(_ line: Line) async throws {
        let events = line.events
        try await line.register()
        try await wait(for: .registered, on: events)
    }

    /// Deregisters `line` and waits until it is unregistered.
    package static func deregister(_ line: Line) async throws {
        let events = line.events
        await line.deregister()
        try await wait(for: .unregistered, on: events)
    }

    private enum Outcome { case registered, unregistered }

    private static func wait(for outcome: Outcome, on events: LineEvents) async throws {
        for await event in events {
            switch (outcome, event) {
            case (.registered, .registered), (.unregistered, .unregistered): return
            case (_, .error(let error)): throw BenchmarkError("a line failed: \(error)")
            default: continue
            }
        }
    }
}
