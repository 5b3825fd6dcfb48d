import AsyncHTTPClient
import CallingTransport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A `Transport` (CallingTransport) on AsyncHTTPClient's `HTTPClient`: SwiftNIO connections,
/// pooled and reused, for servers that already run an event loop.
///
/// ```swift
/// let transport = AsyncHTTPClientTransport()              // HTTPClient.shared
/// let registrar = MobiusRegistrar(transport: transport, tokenProvider: store)
/// ```
///
/// Each request must complete, body included, within ``Configuration/timeout``; cancelling the
/// calling task cancels it. Failures to reach the server become a `TransportError` whose code
/// says what happened (connection refused, timed out, host not found, TLS failed, connection
/// lost, cancelled) and whose message names the host, never the path or query.
///
/// `HTTPClient.shared` follows redirects (dropping `Authorization` when the origin changes).
/// To get 3xx answers back as responses, as `URLSessionTransport` does, give a client created
/// with `redirectConfiguration: .disallow`.
public struct AsyncHTTPClientTransport: Transport {
    /// Settings for the transport.
    public struct Configuration: Sendable {
        /// How long one request may take, from start to the last byte of the response.
        public var timeout: Duration
        /// The largest response body accepted; a larger one fails with `responseTooLarge` as
        /// soon as it passes the limit.
        public var maxResponseBytes: Int

        /// Creates a configuration.
        public init(timeout: Duration, maxResponseBytes: Int = InboundLimits.responseBodyBytes) {
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
        }

        /// A 30-second timeout and `InboundLimits.responseBodyBytes` (256 KiB).
        public static var defaults: Configuration { Configuration(timeout: .seconds(30)) }
    }

    /// The client requests go through.
    public let client: HTTPClient
    /// The settings the transport was created with.
    public let configuration: Configuration

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - client: The client to use; its owner shuts it down (never shut down `HTTPClient.shared`).
    ///   - configuration: The timeout and response limit.
    public init(client: HTTPClient = .shared, configuration: Configuration = .defaults) {
        self.client = client
        self.configuration = configuration
    }

    /// Sends the request with the client.
    ///
    /// - Throws: `TransportError` when no complete HTTP response arrived.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let host = request.url.host ?? "unknown host"
        guard request.headers.areWellFormed else {
            throw TransportError(code: .other, host: host, message: "a request header name or value holds CR, LF or NUL; nothing was sent")
        }
        let outgoing = Self.clientRequest(for: request)
        let deadline = NIODeadline.now() + .nanoseconds(configuration.timeout.nanoseconds)
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            var body = try await Self.collect(response.body, upTo: configuration.maxResponseBytes, by: deadline)
            var headers = CallingTransport.HTTPHeaders()
            for (name, value) in response.headers {
                headers.add(name: name, value: value)
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readBytes(length: body.readableBytes) ?? []))
        } catch is NIOTooManyBytesError {
            throw TransportError.responseTooLarge(host: host, port: request.url.port, limit: configuration.maxResponseBytes)
        } catch {
            throw Self.transportError(for: error, host: host, port: request.url.port)
        }
    }

    /// The request as AsyncHTTPClient takes it.
    package static func clientRequest(for request: HTTPRequest) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        return outgoing
    }

    /// The whole body, by `deadline`: AsyncHTTPClient's deadline ends when the head arrives, so a
    /// server that stalls mid-body would otherwise hold the request (and a keepalive worker)
    /// for as long as it likes.
    private static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, by deadline: NIODeadline) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                let remaining = deadline - NIODeadline.now()
                try await Task.sleep(for: .nanoseconds(max(0, remaining.nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let collected = try await group.next() ?? nil else {
                throw HTTPClientError.deadlineExceeded
            }
            return collected
        }
    }

    /// Maps AsyncHTTPClient's and SwiftNIO's errors to a `TransportError` that says what to check.
    package static func transportError(for error: any Error, host: String, port: Int?) -> TransportError {
        let address = port.map { "\(host):\($0)" } ?? host
        func failure(_ code: TransportError.Code, _ message: String) -> TransportError {
            TransportError(code: code, host: host, message: message)
        }
        let refused = failure(.connectionRefused, "could not connect to \(address); check that the server is running and the URL is right")
        let timedOut = failure(.timedOut, "no complete answer from \(address) in time; check the network or raise the timeout")
        let tls = failure(
            .tlsFailed, "the TLS handshake with \(address) failed; check that the URL's scheme and port are right and the server's certificate is trusted"
        )
        let cancelled = failure(.cancelled, "the request to \(address) was cancelled")
        switch error {
        case let client as HTTPClientError:
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return timedOut
            case .tlsHandshakeTimeout:
                return tls
            case .cancelled, .requestStreamCancelled:
                return cancelled
            case .remoteConnectionClosed:
                return failure(.connectionLost, "the connection to \(address) closed before the answer was complete")
            default:
                return failure(.other, "the request to \(address) failed (\(client))")
            }
        case let connection as NIOConnectionError:
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return failure(.hostNotFound, "the host name \(host) did not resolve; check the URL and the DNS settings")
            }
            return connection.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED } ? refused : failure(
                .other, "could not connect to \(address); check the network"
            )
        case let io as IOError where io.errnoCode == ECONNREFUSED:
            return refused
        case let io as IOError where io.errnoCode == ECONNRESET || io.errnoCode == EPIPE:
            return failure(.connectionLost, "the connection to \(address) closed before the answer was complete")
        case ChannelError.connectTimeout:
            return timedOut
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return tls
        case is CancellationError:
            return cancelled
        default:
            return failure(.other, "the request to \(address) failed (\(String(describing: type(of: error))))")
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds, as NIO's `TimeAmount` takes it.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
