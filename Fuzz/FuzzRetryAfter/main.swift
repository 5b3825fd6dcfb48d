import CallingMobius
import Foundation
import FuzzSupport

/// `Retry-After` values: seconds or HTTP dates.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = RetryAfter.parse(text(data, size), now: Date(timeIntervalSince1970: 1_800_000_000))
    return 0
}

runFuzzer(fuzz)
