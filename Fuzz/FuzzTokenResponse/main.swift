import CallingAuth
import CallingTransport
import Foundation
import FuzzSupport

/// The token endpoint's answer, as a success and as an error (RFC 6749 and Webex's formats).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = Data(bytes(data, size))
    for status in [200, 400] {
        _ = try? TokenResponse.parse(HTTPResponse(status: status, body: body))
    }
    return 0
}

runFuzzer(fuzz)
