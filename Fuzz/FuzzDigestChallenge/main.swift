import CallingSIP
import FuzzSupport

/// The digest challenge parser (`WWW-Authenticate` / `Proxy-Authenticate` values).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = DigestChallenge(header: text(data, size))
    return 0
}

runFuzzer(fuzz)
