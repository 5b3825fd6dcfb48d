import CallingTransport
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The bare URLSession loop a wire benchmark compares the SDK with: one ephemeral session,
/// each request built once, sent with the completion-handler API, its status returned.
public final class BareURLSession: Sendable {
    private let session: URLSession

    /// Creates the session.
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Prepares `request` once; the closure sends it and returns the status. It keeps the
    /// session alive: the session is invalidated when the last sender and this object are gone.
    public func sender(for request: HTTPRequest) -> @Sendable () async throws -> Int {
        var prepared = URLRequest(url: request.url)
        prepared.httpMethod = request.method.rawValue
        for field in request.headers {
            prepared.addValue(field.value, forHTTPHeaderField: field.name)
        }
        prepared.httpBody = request.body
        let urlRequest = prepared
        return { [self] in
            try await withCheckedThrowingContinuation { continuation in
                session.dataTask(with: urlRequest) { _, response, error in
                    if let response = response as? HTTPURLResponse, error == nil {
                        continuation.resume(returning: response.statusCode)
                    } else {
                        continuation.resume(throwing: error ?? URLError(.badServerResponse))
                    }
                }.resume()
            }
        }
    }
}
