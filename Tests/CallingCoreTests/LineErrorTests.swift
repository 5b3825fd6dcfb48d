import CallingCore
import Foundation
import Testing

/// The documented error objects, exactly, and ours beside them.
@Suite("Line errors")
struct LineErrorTests {
    /// The documented object alone (`status`, `type`, `msg`), keys sorted.
    func documented(_ error: LineError) throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(error)) as? [String: Any])
        let shown = object.filter { ["status", "type", "msg"].contains($0.key) }
        return String(decoding: try JSONSerialization.data(withJSONObject: shown, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    @Test(
        "the three documented errors encode to Webex's objects, byte for byte",
        arguments: [
            (LineError(code: .deviceLimitExceeded, detail: "no room", metadata: ["errorCode": 101]),
             #"{"msg":"Device limit exceeded. The user already logged in to a different device.","status":"inactive","type":"registrationError"}"#),
            (LineError(code: .notFound, detail: "gone", metadata: ["httpStatus": 404]),
             #"{"msg":"Device not found.","status":"inactive","type":"registrationError"}"#),
            (LineError(code: .tokenError, detail: "refused", metadata: ["httpStatus": 401]),
             #"{"msg":"Token expired. Authentication/Authorization error.","status":"inactive","type":"tokenError"}"#),
        ]
    )
    func documentedObjects(error: LineError, expected: String) throws {
        #expect(try documented(error) == expected)
    }

    static let codes: [LineError.Code] = [
        .badRequest, .tokenError, .forbidden, .deviceLimitExceeded, .notFound, .tooManyRequests, .serverError,
        .serviceUnavailable, .sessionSuperseded, .deregistrationIncomplete, .defaultError,
    ]

    @Test("every code has a camelCase type and a fixed msg; what we add for diagnosis stays out of msg", arguments: codes)
    func fixedMessages(code: LineError.Code) throws {
        let error = LineError(
            code: code, detail: "mobius-7 answered oddly",
            metadata: ["host": "mobius-7.example.com", "httpStatus": 599, "errorCode": 42, "trackingId": "TRK_1"]
        )
        #expect(error.status == "inactive")
        #expect(error.type.first?.isLowercase == true && !error.type.contains("_"))
        #expect(error.msg == LineError(code: code, detail: "other").msg)
        #expect(!error.msg.contains("answered oddly"))
        for diagnostic in ["mobius-7", "599", "42", "TRK_1"] {
            #expect(!error.msg.contains(diagnostic))
        }
        #expect(LineError.Code(name: code.description) == code)
    }

    @Test("encodes the documented fields with ours beside them, and decodes back")
    func roundTrip() throws {
        struct Underneath: Error {}
        let error = LineError(
            code: .serviceUnavailable, detail: "p1 is unavailable",
            metadata: ["host": "p1.example.com", "httpStatus": 503, "errorCode": 7, "trackingId": "TRK_2"], cause: Underneath()
        )
        let data = try JSONEncoder().encode(error)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["status", "type", "msg", "code", "detail", "host", "httpStatus", "errorCode", "trackingId"])
        #expect(object["code"] as? String == "service_unavailable")
        #expect(object["type"] as? String == "serviceUnavailable")
        #expect(object["httpStatus"] as? Int == 503)
        #expect(object["trackingId"] as? String == "TRK_2")
        #expect(try JSONDecoder().decode(LineError.self, from: data) == error)
        #expect(error.cause is Underneath)
        let minimal = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(LineError(code: .defaultError, detail: "x"))) as? [String: Any])
        #expect(Set(minimal.keys) == ["status", "type", "msg", "code", "detail"])
    }

    @Test("an unknown code does not decode")
    func unknownCode() {
        let json = Data(#"{"code":"martian","detail":"x"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LineError.self, from: json) }
    }

    @Test("the description shows code, detail and metadata, and the msg is not repeated")
    func description() {
        let error = LineError(code: .notFound, detail: "p1 does not know the registration", metadata: ["trackingId": "T", "httpStatus": 404])
        #expect(error.description == "not_found: p1 does not know the registration (httpStatus 404, trackingId T)")
    }
}
