import CallingLoopback
import FuzzSupport

/// The loopback server's HTTP/1.1 request parser, with the login listener's limits.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = HTTPRequestParser.parse(bytes(data, size)[...], limits: .init(maxHeadBytes: 8192, maxBodyBytes: 65_536))
    return 0
}

runFuzzer(fuzz)
