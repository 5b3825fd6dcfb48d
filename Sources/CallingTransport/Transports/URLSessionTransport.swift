import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The production transport: Foundation's `URLSession` (FoundationNetworking on Linux).
///
/// Each transport owns an ephemeral session (no cookies, no cache) that does not follow
/// redirects: a 3xx comes back to the caller as a response, so an `Authorization` header is never
/// forwarded to a host the caller did not choose. A response body is collected up to
/// ``Configuration/maxResponseBytes`` and refused as soon as it passes it. Failures to reach the
/// server become a ``TransportError`` that names the host and says what to check.
public struct URLSessionTransport: Transport {
    /// Settings for the transport.
    public struct Configuration: Sendable {
        /// How long one request may take, from start to the last byte of the response.
        public var timeout: Duration
        /// The largest response body accepted; a larger one fails with
        /// ``TransportError/Code/responseTooLarge`` as soon as it passes the limit.
        public var maxResponseBytes: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - timeout: How long one request may take in all.
        ///   - maxResponseBytes: The largest response body accepted.
        public init(timeout: Duration, maxResponseBytes: Int = InboundLimits.responseBodyBytes) {
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
        }

        /// A 30-second request timeout and ``InboundLimits/responseBodyBytes``.
        public static var defaults: Configuration { Configuration(timeout: .seconds(30)) }
    }

    private let owner: SessionOwner
    /// The settings the transport was created with.
    public let configuration: Configuration

    /// Creates a transport with its own `URLSession`.
    ///
    /// - Parameter configuration: The timeout and other settings.
    public init(configuration: Configuration = .defaults) {
        self.configuration = configuration
        self.owner = SessionOwner(timeout: configuration.timeout)
    }

    /// Sends the request over HTTP(S).
    ///
    /// - Throws: ``TransportError`` when no HTTP response arrived.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard request.headers.areWellFormed else {
            throw TransportError(
                code: .other, host: request.url.host ?? "unknown host",
                message: "a request header name or value holds CR, LF or NUL; nothing was sent"
            )
        }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        // All at once: a sixth of the CPU of adding them one by one (7.5 µs → 1.3 µs for a
        // keepalive's four headers).
        urlRequest.allHTTPHeaderFields = request.headers.joined
        urlRequest.httpBody = request.body

        let host = request.url.host ?? "unknown host"
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await owner.load(urlRequest, limit: configuration.maxResponseBytes)
        } catch let error as URLError {
            throw Self.transportError(for: error, host: host, port: request.url.port)
        } catch let error as ResponseTooLarge {
            throw TransportError.responseTooLarge(host: host, port: request.url.port, limit: error.limit)
        }
        guard let http = response as? HTTPURLResponse else {
            throw TransportError(code: .badResponse, host: host, message: "the answer was not an HTTP response")
        }
        var headers = HTTPHeaders()
        for case let (name as String, value as String) in http.allHeaderFields {
            headers.add(name: name, value: value)
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// Maps a URLSession failure to an error that says what to check. The URL's path and query
    /// stay out of the message: they can carry an authorization code.
    package static func transportError(for error: URLError, host: String, port: Int?) -> TransportError {
        let address = port.map { "\(host):\($0)" } ?? host
        switch error.code {
        case .cannotConnectToHost:
            return TransportError(
                code: .connectionRefused, host: host,
                message: "could not connect to \(address); check that the server is running and the URL is right"
            )
        case .timedOut:
            return TransportError(
                code: .timedOut, host: host,
                message: "no complete answer from \(address) in time; check the network or raise the timeout"
            )
        case .cannotFindHost, .dnsLookupFailed:
            return TransportError(
                code: .hostNotFound, host: host,
                message: "the host name \(host) did not resolve; check the URL and the DNS settings"
            )
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired,
            // FoundationNetworking reports most of curl's TLS failures as an unknown error whose
            // description is OpenSSL's ("OpenSSL/3.0: error:…:SSL routines::wrong version number").
            .unknown where error.localizedDescription.contains("SSL"):
            return TransportError(
                code: .tlsFailed, host: host,
                message: "the TLS handshake with \(address) failed; check that the URL's scheme and port are right and the server's certificate is trusted"
            )
        case .networkConnectionLost:
            return TransportError(
                code: .connectionLost, host: host,
                message: "the connection to \(address) closed before the answer was complete"
            )
        case .cancelled:
            return TransportError(code: .cancelled, host: host, message: "the request to \(address) was cancelled")
        default:
            return TransportError(
                code: .other, host: host,
                message: "the request to \(address) failed (URLError \(error.code.rawValue))"
            )
        }
    }
}

/// Owns the transport's session and invalidates it when the last copy of the transport goes.
private final class SessionOwner: Sendable {
    let session: URLSession
    private let loads: Loads

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.timeInterval
        configuration.timeoutIntervalForResource = timeout.timeInterval
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        loads = Loads()
        session = URLSession(configuration: configuration, delegate: loads, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Loads a request, refusing a body longer than `limit` as soon as it is known to be (by its
    /// `Content-Length`, or as it streams in); cancelling the calling task cancels it.
    ///
    /// Cancels from another queue: on Linux, FoundationNetworking's async `data(for:)` resumes
    /// its continuation on the session's internal queue while task cancellation waits for that
    /// queue, and the two deadlock when a request is cancelled just as it completes (a keepalive
    /// timing out, a line deregistering mid-request).
    func load(_ request: URLRequest, limit: Int) async throws -> (Data, URLResponse) {
        let inFlight = InFlightTask()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = session.dataTask(with: request)
                loads.begin(task, limit: limit, continuation: continuation)
                inFlight.start(task)
            }
        } onCancel: {
            inFlight.cancel()
        }
    }
}

/// The body was longer than the transport accepts.
private struct ResponseTooLarge: Error {
    let limit: Int
}

/// The session's delegate: collects each task's answer, ends a task whose body passes its
/// limit, and hands 3xx answers back to the caller instead of following them.
private final class Loads: NSObject, URLSessionDataDelegate, Sendable {
    private struct Load {
        var continuation: CheckedContinuation<(Data, URLResponse), any Error>
        var limit: Int
        var response: URLResponse?
        var body = Data()
        var tooLarge = false
    }

    private let loads = Locked<[Int: Load]>([:])

    func begin(_ task: URLSessionDataTask, limit: Int, continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
        loads.withLock { $0[task.taskIdentifier] = Load(continuation: continuation, limit: limit) }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let tooLarge = loads.withLock { loads -> Bool in
            loads[dataTask.taskIdentifier]?.response = response
            guard let limit = loads[dataTask.taskIdentifier]?.limit, response.expectedContentLength > Int64(limit) else { return false }
            loads[dataTask.taskIdentifier]?.tooLarge = true
            return true
        }
        // Cancelling the task, not answering `.cancel`: FoundationNetworking then still reads
        // (and drops) the whole body. Cancelling here, on the delegate queue, is safe: the
        // session never waits for this queue.
        completionHandler(.allow)
        if tooLarge {
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = loads.withLock { loads -> Bool in
            guard var load = loads[dataTask.taskIdentifier], !load.tooLarge else { return false }
            guard load.body.count + data.count <= load.limit else {
                loads[dataTask.taskIdentifier]?.tooLarge = true
                return true
            }
            // Out of the dictionary while it grows, so the append never copies the body.
            loads[dataTask.taskIdentifier] = nil
            load.body.append(data)
            loads[dataTask.taskIdentifier] = load
            return false
        }
        if tooLarge {
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let load = loads.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if load.tooLarge {
            load.continuation.resume(throwing: ResponseTooLarge(limit: load.limit))
        } else if let response = load.response, error == nil {
            load.continuation.resume(returning: (load.body, response))
        } else {
            let code = (error as? NSError).flatMap { URLError.Code(rawValue: $0.code) } ?? .unknown
            load.continuation.resume(throwing: error as? URLError ?? URLError(code))
        }
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// The URLSession task of one request, cancelled asynchronously so that a cancellation handler
/// never waits on URLSession's queue.
private final class InFlightTask: Sendable {
    private let state = Locked<(task: URLSessionDataTask?, cancelled: Bool)>((nil, false))

    func start(_ task: URLSessionDataTask) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        task.resume()
        if cancelled {
            DispatchQueue.global().async { task.cancel() }
        }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        if let task {
            DispatchQueue.global().async { task.cancel() }
        }
    }
}

extension Duration {
    /// The duration in seconds, as Foundation's APIs take it.
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
