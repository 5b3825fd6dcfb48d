import CallingCore
import Foundation
import Testing

/// A registered device keeps its `uri` as text (a gateway holds one per line); what it gives
/// back is the URL it was given.
@Suite("Registered device")
struct RegisteredDeviceTests {
    let server = RegistrarServer(url: URL(string: "https://mobius.example.com/api/v1/calling/web/")!)

    @Test("the uri given is the uri read, set and cleared; equal devices hash alike")
    func uriRoundTrip() throws {
        let uri = try #require(URL(string: "https://mobius.example.com/api/v1/calling/web/devices/d-1"))
        var device = RegisteredDevice(deviceID: "d-1", server: server, clientDeviceURL: "urn:dev", uri: uri)
        #expect(device.uri == uri)
        #expect(device == RegisteredDevice(deviceID: "d-1", server: server, clientDeviceURL: "urn:dev", uri: uri))
        #expect(Set([device, RegisteredDevice(deviceID: "d-1", server: server, clientDeviceURL: "urn:dev", uri: uri)]).count == 1)
        let moved = try #require(URL(string: "https://mobius-2.example.com/api/v1/calling/web/devices/d-1"))
        device.uri = moved
        #expect(device.uri == moved)
        device.uri = nil
        #expect(device.uri == nil)
        #expect(RegisteredDevice(deviceID: "d-1", server: server, clientDeviceURL: "urn:dev").uri == nil)
    }
}
