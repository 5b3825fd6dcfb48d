import CallingAuth
import CallingTransport
import Foundation
import FuzzSupport

let client = OAuthClient(
    configuration: OAuthConfiguration(clientID: "fuzz", clientSecret: Secret("fuzz"), redirectURI: URL(string: "http://127.0.0.1:1/callback")!),
    transport: InMemoryTransport { _ in HTTPResponse(status: 500) }
)
let request = client.makeAuthorizationRequest()

/// Form decoding and the authorization redirect's parser: the input as a query, and as a whole
/// redirect URL.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = text(data, size)
    _ = FormEncoding.decode(input)
    if let url = URL(string: "http://127.0.0.1:1/callback?" + input) {
        _ = try? request.authorizationCode(fromRedirect: url)
    }
    if let url = URL(string: input) {
        _ = try? request.authorizationCode(fromRedirect: url)
    }
    return 0
}

runFuzzer(fuzz)
