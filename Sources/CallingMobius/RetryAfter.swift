import CallingCore
import CallingTransport
import Foundation

/// Reads a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
///
/// Dates are read by hand, in IMF-fixdate and the obsolete RFC 850 and asctime forms RFC 9110
/// still accepts: Foundation's `DateFormatter` on Linux leaked memory on some inputs (found by
/// fuzzing) and cost a millisecond a call.
package enum RetryAfter {
    /// The wait the header asks for, at most ``InboundLimits/longestWait`` (a number too large
    /// for any integer, or a date years ahead, asks for that); `nil` when it is missing or
    /// unreadable. A date in the past means no wait.
    package static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value.utf8.count <= 64 else {
            return nil
        }
        if value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) {
            return InboundLimits.wait(Int(value).map { .seconds($0) } ?? InboundLimits.longestWait)
        }
        guard let date = httpDate(value) else { return nil }
        return InboundLimits.duration(seconds: date.timeIntervalSince(now).rounded(.up), in: .zero...InboundLimits.longestWait)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// `Fri, 15 Jan 2027 08:00:30 GMT`, `Friday, 15-Jan-27 08:00:30 GMT` or `Fri Jan 15 08:00:30 2027`.
    private static func httpDate(_ text: String) -> Date? {
        let tokens = text.split { $0 == " " || $0 == "," || $0 == "-" }.map(String.init)
        let day: String, month: String, year: String, time: String
        switch tokens.count {
        case 6 where tokens[5] == "GMT":
            (day, month, year, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
        case 5:
            (month, day, time, year) = (tokens[1], tokens[2], tokens[3], tokens[4])
        default:
            return nil
        }
        guard days.contains(where: { tokens[0].hasPrefix($0) }), let monthIndex = months.firstIndex(of: month),
            let dayNumber = number(day, digits: 1...2), (1...31).contains(dayNumber),
            var yearNumber = number(year, digits: 2...4), year.count != 3
        else { return nil }
        if year.count == 2 {
            yearNumber += yearNumber < 70 ? 2000 : 1900
        }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false).map { number(String($0), digits: 2...2) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2], hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        let seconds = daysSinceEpoch(year: yearNumber, month: monthIndex + 1, day: dayNumber) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func number(_ text: String, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
