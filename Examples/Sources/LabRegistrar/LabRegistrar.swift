import CallingCore
import CallingTransport
import Foundation

// README: custom registrar
/// Registers lines with a lab PBX that speaks a tiny HTTP API, over any `Transport`:
/// `POST lines` (body: the device URL) answers the registration id, `POST lines/{id}/keepalive`,
/// `DELETE lines/{id}`, `GET ping`; a 429 carries `Retry-After` in seconds.
struct LabRegistrar: LineRegistrar {
    let transport: any Transport
    let base: URL

    func discoverServers() async throws -> RegistrarServers {
        RegistrarServers(primaries: [RegistrarServer(url: base)], backups: [])
    }

    func makeDevice() async throws -> LineDevice {
        LineDevice(userID: "lab-user", deviceURL: "urn:uuid:\(UUID())")
    }

    func register(_ device: LineDevice, at server: RegistrarServer) async -> RegistrarResult<LineRegistration> {
        let request = HTTPRequest(method: .post, url: server.url.appending(path: "lines"), body: Data(device.deviceURL.utf8))
        switch await send(request) {
        case let response? where response.isSuccess:
            let id = String(decoding: response.body, as: UTF8.self)
            return .succeeded(LineRegistration(
                device: RegisteredDevice(deviceID: id, server: server, clientDeviceURL: device.deviceURL),
                keepaliveInterval: .seconds(30)
            ))
        case let response? where response.status == 403:
            return .final(LineError(code: .forbidden, detail: "the lab refused \(device.userID)"))
        case let response?:
            return .retryable(LineError(code: .serverError, detail: "the lab answered HTTP \(response.status)"))
        case nil:
            return .retryable(LineError(code: .defaultError, detail: "the lab did not answer"))
        }
    }

    func keepalive(_ registration: LineRegistration) async -> RegistrarResult<Void> {
        let device = registration.device
        let url = device.server.url.appending(path: "lines/\(device.deviceID)/keepalive")
        let response = await send(HTTPRequest(method: .post, url: url))
        switch response?.status {
        case 200?: return .succeeded
        case 404?: return .deviceNotFound(LineError(code: .notFound, detail: "the lab forgot line \(device.deviceID)"))
        case 429?:
            let seconds = response?.headers["Retry-After"].flatMap { Int64($0) }
            return .retryable(LineError(code: .tooManyRequests, detail: "the lab asked to slow down"), retryAfter: seconds.map { .seconds($0) })
        default: return .retryable(LineError(code: .defaultError, detail: "no keepalive answer"))
        }
    }

    func deregister(_ device: RegisteredDevice) async -> RegistrarResult<Void> {
        let url = device.server.url.appending(path: "lines/\(device.deviceID)")
        switch await send(HTTPRequest(method: .delete, url: url)) {
        case let response? where response.isSuccess || response.status == 404: return .succeeded  // gone either way
        default: return .retryable(LineError(code: .defaultError, detail: "the DELETE failed"))
        }
    }

    func ping(_ server: RegistrarServer, as device: LineDevice) async -> Bool {
        await send(HTTPRequest(method: .get, url: server.url.appending(path: "ping")))?.isSuccess == true
    }

    private func send(_ request: HTTPRequest) async -> HTTPResponse? {
        try? await transport.send(request)
    }
}
// README: end
