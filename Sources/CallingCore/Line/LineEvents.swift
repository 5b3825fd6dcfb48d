/// A line's events for one subscriber, from the moment of subscribing until the client shuts down.
///
/// Each access to `Line.events` makes a new, independent subscription. A subscriber that stops
/// reading never holds the line up: each subscription buffers at most
/// `CallingClient.Configuration.eventBufferSize` events and then drops the oldest.
public struct LineEvents: AsyncSequence, Sendable {
    /// The element type.
    public typealias Element = LineEvent

    private let stream: AsyncStream<LineEvent>

    init(_ stream: AsyncStream<LineEvent>) {
        self.stream = stream
    }

    /// Iterates the events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncStream<LineEvent>.AsyncIterator

        init(_ base: AsyncStream<LineEvent>.AsyncIterator) {
            self.base = base
        }

        /// The next event, or `nil` once the client has shut down.
        public mutating func next() async -> LineEvent? {
            await base.next()
        }
    }

    /// Makes an iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream.makeAsyncIterator())
    }
}
