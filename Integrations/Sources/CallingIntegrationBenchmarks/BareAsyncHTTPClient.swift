import AsyncHTTPClient
import CallingTransport
import Foundation
import NIOCore
import NIOHTTP1

/// The bare AsyncHTTPClient loop the SDK is compared with: each request built once, executed,
/// its body collected, its status returned.
struct BareAsyncHTTPClient: Sendable {
    let client: HTTPClient

    func sender(for request: HTTPRequest) -> @Sendable () async throws -> Int {
        var prepared = HTTPClientRequest(url: request.url.absoluteString)
        prepared.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers {
            prepared.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            prepared.body = .bytes(ByteBuffer(bytes: body))
        }
        let outgoing = prepared
        return { [client] in
            let response = try await client.execute(outgoing, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
    }
}
