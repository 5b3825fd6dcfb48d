import CallingCore
import CallingMobius
import Foundation
import FuzzSupport

let server = RegistrarServer(url: URL(string: "https://mobius.example.com/api/v1/calling/web/")!)
let device = LineDevice(userID: "user", deviceURL: "https://wdm.example.com/devices/1")

/// Mobius's answers: a registration (and a keepalive's), discovery, and a 403 with errorCode 101.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = Data(bytes(data, size))
    _ = MobiusRegistrar.registration(from: body, server: server, device: device)
    let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    if let object {
        _ = MobiusRegistrar.servers(from: object, discoveryHost: server)
    }
    _ = MobiusRegistrar.existingDevice(object, fallbackServer: server)
    return 0
}

runFuzzer(fuzz)
