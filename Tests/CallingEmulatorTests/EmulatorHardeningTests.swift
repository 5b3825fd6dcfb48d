import CallingEmulator
import CallingTransport
import Foundation
import Testing

/// The emulator refuses nonsense cleanly: fault specs, admin bodies, header values.
@Suite("Emulator input checks")
struct EmulatorHardeningTests {
    @Test(
        "fault specs: good ones parse; bad ones are errors that say what is allowed, never a crash",
        arguments: [
            ("503", 503, 1, nil), ("503x2", 503, 2, nil), ("429@20", 429, 1, "20"), ("429x3@Wed, 21 Oct 2026 07:28:00 GMT", 429, 3, "Wed, 21 Oct 2026 07:28:00 GMT"),
        ] as [(String, Int, Int, String?)]
    )
    func parses(spec: String, status: Int, count: Int, retryAfter: String?) throws {
        let (fault, parsedCount) = try EmulatorFault.parse(spec)
        #expect(fault.status == status && parsedCount == count && fault.retryAfter == retryAfter)
    }

    @Test(
        "bad fault specs",
        arguments: ["x", "@", "", "503x", "503@", "503x0", "503x-1", "503x4000000000000", "99", "600", "abc", "5 03", "429@1\r\nX-Injected: yes", "429@" + String(repeating: "9", count: 65)]
    )
    func refuses(spec: String) {
        #expect(throws: EmulatorFault.Invalid.self) { try EmulatorFault.parse(spec) }
    }

    func admin(_ server: EmulatorServer, _ path: String, _ json: String, contentType: String? = "application/json") async throws -> HTTPResponse {
        var request = HTTPRequest(method: .post, url: server.baseURL.appending(path: "_emulator/\(path)"), body: Data(json.utf8))
        request.headers["Content-Type"] = contentType
        return try await URLSessionTransport().send(request)
    }

    @Test("the admin API answers 400 or 415 to bad requests and keeps serving")
    func adminRefusals() async throws {
        let server = try await EmulatorServer.start()
        defer { server.stop() }
        let refusals: [(String, String, String?, Int)] = [
            ("fault", #"{"endpoint":"register","status":503,"count":-1}"#, "application/json", 400),
            ("fault", #"{"endpoint":"register","status":503,"count":4000000000}"#, "application/json", 400),
            ("fault", #"{"endpoint":"register","status":429,"retryAfter":"1\r\nX-Injected: yes"}"#, "application/json", 400),
            ("fault", #"{"endpoint":"register","status":503}"#, "text/plain", 415),
            ("fault", #"{"endpoint":"register","status":503}"#, nil, 415),
            ("fault", "[1, 2]", "application/json", 400),
            ("outage", #"{"server":"nowhere","outage":"refuse"}"#, "application/json", 400),
            ("delay", #"{"endpoint":"keepalive","milliseconds":-5}"#, "application/json", 400),
            ("users", #"{"count":0}"#, "application/json", 400),
            ("users", #"{"count":10001}"#, "application/json", 400),
            ("users", "{}", "application/json", 400),
        ]
        for (path, body, contentType, status) in refusals {
            let response = try await admin(server, path, body, contentType: contentType)
            #expect(response.status == status, "\(path) \(body) \(contentType ?? "no type")")
        }
        #expect(await server.emulator.requestCounts.isEmpty)
        let state = try await URLSessionTransport().send(HTTPRequest(method: .get, url: server.baseURL.appending(path: "_emulator/state")))
        #expect(state.status == 200)
        #expect(try await admin(server, "fault", #"{"endpoint":"register","status":503,"count":2}"#).status == 200)
    }

    @Test(
        "an admin field of the wrong type is refused, naming it, and changes nothing (\"outage\": 5 used to end an outage; #20 case 11)",
        arguments: [
            ("outage", #"{"server":"primary","outage":5}"#, "outage must be a string or null"),
            ("fault", #"{"endpoint":"register","status":true}"#, "status must be a whole number"),
            ("fault", #"{"endpoint":"register","status":503,"count":"2"}"#, "count must be a whole number"),
            ("fault", #"{"endpoint":"register","status":503.5}"#, "status must be a whole number"),
            ("fault", #"{"endpoint":"register","status":429,"retryAfter":20}"#, "retryAfter must be a string"),
            ("delay", #"{"endpoint":"keepalive","milliseconds":"1500"}"#, "milliseconds must be a whole number"),
            ("device", #"{"action":"approve","userCode":5}"#, "userCode must be a string"),
            ("users", #"{"count":"3"}"#, "count must be a whole number"),
            ("revoke", #"{"userId":7}"#, "userId must be a string"),
        ]
    )
    func wrongTypes(path: String, body: String, message: String) async throws {
        let server = try await EmulatorServer.start()
        defer { server.stop() }
        await server.emulator.setOutage(.serviceUnavailable, server: "primary")
        let response = try await admin(server, path, body)
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains(message), "\(String(decoding: response.body, as: UTF8.self))")
        #expect(await server.emulator.outage(ofServer: "primary") == .serviceUnavailable)
        #expect(await server.emulator.requestCounts.isEmpty)
    }

    @Test("a request header with CR or LF is refused before anything is sent")
    func requestHeaderInjection() async throws {
        var request = HTTPRequest(method: .get, url: URL(string: "http://127.0.0.1:9/")!)
        request.headers["X-Test"] = "a\r\nX-Injected: yes"
        await #expect(throws: TransportError.self) { try await URLSessionTransport().send(request) }
        #expect(!HTTPHeaders([.init(name: "Bad Name", value: "x")]).areWellFormed)
        let good: HTTPHeaders = ["Retry-After": "20"]
        #expect(good.areWellFormed)
    }
}
