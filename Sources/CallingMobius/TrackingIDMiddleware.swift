import CallingCore
import CallingTransport
import Foundation
import Synchronization

/// Gives every request its own `trackingid`: `<prefix>_<uuid>_<n>`.
///
/// Placed inside ``BearerTokenMiddleware`` in the pipeline, so a request retried after a 401 is
/// a new request with a new id, as Webex support expects.
struct TrackingIDMiddleware: Middleware {
    private let prefix: String
    private let counter = Counter()

    init(prefix: String) {
        self.prefix = "\(prefix)_\(UUID().uuidString)"
    }

    func intercept(
        _ request: HTTPRequest,
        next: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var request = request
        request.headers["trackingid"] = "\(prefix)_\(counter.next())"
        return try await next(request)
    }
}

/// A shared request counter.
private final class Counter: Sendable {
    private let value = Atomic<UInt64>(0)

    func next() -> UInt64 {
        value.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
