import CallingTransport
import Foundation

/// A scripted server handler: answers from a queue of responses (the last one repeats) and
/// keeps every request it received, as the server saw it.
public final class RequestRecorder: Sendable {
    private struct State {
        var requests: [HTTPRequest] = []
        var responses: [HTTPResponse]
    }

    private let state: Locked<State>

    /// Creates a recorder that answers with `responses` in order, repeating the last.
    public init(_ responses: [HTTPResponse]) {
        precondition(!responses.isEmpty, "a recorder needs at least one response")
        state = Locked(State(responses: responses))
    }

    /// The requests received so far.
    public var requests: [HTTPRequest] {
        state.withLock { $0.requests }
    }

    /// The handler to serve.
    public var handler: InMemoryTransport.Handler {
        { [self] request in
            state.withLock { state in
                state.requests.append(request)
                return state.responses.count > 1 ? state.responses.removeFirst() : state.responses[0]
            }
        }
    }
}

extension HTTPResponse {
    /// A response with a JSON body.
    public static func json(_ status: Int, _ text: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPResponse(status: status, headers: headers, body: Data(text.utf8))
    }
}
