import CallingSIP
import FuzzSupport

/// The SIP message parser, as datagrams and as a stream; a parsed message must serialize and
/// parse again.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if let parsed = try? SIPMessage.parse(input, framing: .datagram) {
        _ = parsed.message.values("Contact")
        _ = try? SIPMessage.parse(parsed.message.serialized(), framing: .stream)
    }
    _ = try? SIPMessage.parse(input, framing: .stream)
    return 0
}

runFuzzer(fuzz)
