import Dispatch
import Foundation

/// The signals that ask `calling` to stop, as an async sequence from Dispatch signal sources.
enum Signals {
    /// Ctrl-C (SIGINT), a supervisor or `kill` (SIGTERM), a closed terminal or SSH session (SIGHUP).
    static let stopping = [SIGINT, SIGTERM, SIGHUP]

    /// Each stopping signal the process receives from now on. Their default action (ending the
    /// process at once) is replaced before this returns, so no signal is lost to it.
    static func stopRequests() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in stopping {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        let retained = SignalSources(sources)
        continuation.onTermination = { _ in retained.cancel() }
        return stream
    }

    /// Whether a stop request arriving `sinceFirst` after the first one means "stop now": only a
    /// deliberate second one does. Supervisors and `timeout` send SIGINT then SIGTERM (or one
    /// signal to the process and again to its group) within a millisecond.
    static func isSecondRequest(sinceFirst: Duration) -> Bool {
        sinceFirst >= .seconds(1)
    }
}

/// Keeps the signal sources alive for as long as the stream is.
private final class SignalSources: @unchecked Sendable {
    // @unchecked: `sources` is written once in init and only read (to cancel) afterwards;
    // DispatchSource methods are thread-safe.
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
