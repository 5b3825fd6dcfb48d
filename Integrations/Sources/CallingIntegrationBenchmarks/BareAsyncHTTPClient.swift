import AsyncHTTPClient
import CallingAsyncHTTPClient
import CallingTransport
import NIOCore
import NIOHTTP1

/// The bare AsyncHTTPClient loop the SDK is compared with: each request built once (as the
/// transport builds it), executed, its body collected, its status returned.
struct BareAsyncHTTPClient: Sendable {
    let client: HTTPClient

    func sender(for request: HTTPRequest) -> @Sendable () async throws -> Int {
        let outgoing = AsyncHTTPClientTransport.clientRequest(for: request)
        return { [client] in
            let response = try await client.execute(outgoing, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
    }
}
