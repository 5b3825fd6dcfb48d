import CallingMobius
import Foundation
import Testing

@Suite("Retry-After")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "seconds and HTTP dates, in all three RFC 9110 forms; a past date means no wait",
        arguments: [
            ("42", 42), (" 7 ", 7), ("0", 0),
            ("Fri, 15 Jan 2027 08:00:30 GMT", 30),
            ("Friday, 15-Jan-27 08:00:30 GMT", 30),
            ("Fri Jan 15 08:00:30 2027", 30),
            ("Fri, 15 Jan 2027 07:00:00 GMT", 0),
        ]
    )
    func readable(value: String, seconds: Int) {
        #expect(RetryAfter.parse(value, now: now) == .seconds(seconds))
    }

    @Test("missing or unreadable values give no wait at all", arguments: [nil, "", "soon", "-5", "4.5", "١٢"] as [String?])
    func unreadable(value: String?) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }
}
