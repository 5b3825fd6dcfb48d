import CallingMobius
import Foundation
import Testing

@Suite("Retry-After")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "seconds and HTTP dates, in all three RFC 9110 forms; a past date means no wait; at most a day (#20: these trapped the keepalive scheduler)",
        arguments: [
            ("42", 42), (" 7 ", 7), ("0", 0),
            ("Fri, 15 Jan 2027 08:00:30 GMT", 30),
            ("Friday, 15-Jan-27 08:00:30 GMT", 30),
            ("Fri Jan 15 08:00:30 2027", 30),
            ("Fri, 15 Jan 2027 07:00:00 GMT", 0),
            ("Sat, 29 Feb 2028 00:00:00 GMT", 86_400),
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
            ("86401", 86_400), ("10000000000", 86_400), ("9223372036854775807", 86_400), ("99999999999999999999", 86_400),
            ("Fri, 31 Dec 9999 23:59:59 GMT", 86_400),
        ]
    )
    func readable(value: String, seconds: Int) {
        #expect(RetryAfter.parse(value, now: now) == .seconds(seconds))
    }

    @Test(
        "missing or unreadable values give no wait at all (the last found by fuzzing: DateFormatter leaked on it)",
        arguments: [
            nil, "", "soon", "-5", "4.5", "١٢", "Fri, 32 Jan 2027 08:00:30 GMT", "Fri, 15 Foo 2027 08:00:30 GMT", "Fri, 15 Jan 2027 24:00:00 GMT",
            "Fri, 15 Jan 2027 08:00:30 PST", "Fri, 15 Jan 202 08:00:30 GMT", String(repeating: "Fri, ", count: 20),
            String(decoding: Data(base64Encoded: "lpaWlvK4uLi4lg==")!, as: UTF8.self),
        ] as [String?]
    )
    func unreadable(value: String?) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }
}
