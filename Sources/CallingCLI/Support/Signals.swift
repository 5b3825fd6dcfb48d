import Dispatch
import Foundation

/// Ctrl-C and SIGTERM as an async sequence, from Dispatch signal sources.
enum Signals {
    /// Each SIGINT or SIGTERM the process receives, from now on.
    static func interrupts() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
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
