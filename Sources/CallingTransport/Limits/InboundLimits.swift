/// The ranges that durations and counts from outside the process are held to: server answers,
/// saved files, a registrar's results.
///
/// Each value is bounded once, where it enters (the parser or decoder that reads it, and the
/// line's state machine for whatever a registrar returns, built-in or not), so no arithmetic
/// behind it can overflow: a value outside its range is clamped into it, and a value that means
/// nothing (a lifetime of zero, a number that is not one) is refused with an error that says so.
/// Nothing a server says traps the process.
public enum InboundLimits {
    /// The longest wait a server may ask for: `Retry-After` (HTTP or SIP), a device code's
    /// lifetime and polling interval. One day.
    public static let longestWait: Duration = .seconds(86_400)

    /// Keepalive intervals a registrar may set: half a second (a SIP registrar granting one
    /// second) to a day.
    public static let keepaliveInterval: ClosedRange<Duration> = .milliseconds(500) ... .seconds(86_400)

    /// Registration lifetimes in seconds, granted by a registrar, asked for, or demanded by SIP's
    /// `Min-Expires`: one second to a day.
    public static let registrationLifetime: ClosedRange<Int> = 1...86_400

    /// Rehoming windows in minutes (Mobius's `rehomingIntervalMin` and `rehomingIntervalMax`):
    /// up to a day.
    public static let rehomingWindowMinutes: ClosedRange<Int> = 0...1_440

    /// Retry attempts counted in a saved failover: the backoff stops growing long before 64.
    public static let failoverAttempts: ClosedRange<Int> = 0...64

    /// Token lifetimes in seconds (`expires_in`, `refresh_token_expires_in`): one second to a
    /// year. A longer lifetime is taken as a year: the token is refreshed early, never late.
    public static let tokenLifetime: ClosedRange<Int> = 1...31_536_000

    /// The default largest response body a transport accepts: 256 KiB. Webex's OAuth and Mobius
    /// answers are a few KiB; a larger one is refused as it streams in, never buffered whole.
    public static let responseBodyBytes = 256 * 1024

    /// The longest text from a server that is shown to a person: a device flow's user code and
    /// verification address, and what ``shownText(_:)`` keeps of an error's text.
    public static let shownTextLength = 512

    /// A wait a server asked for, within zero and ``longestWait``.
    public static func wait(_ requested: Duration) -> Duration {
        clamp(requested, to: .zero...longestWait)
    }

    /// Text from a server that ends up in a message a person reads (an OAuth
    /// `error_description`, Mobius's `message`): one line of at most ``shownTextLength``
    /// characters, its control characters (line breaks too) and bidirectional formatting
    /// characters written as `\u{…}`, so that it can neither fake a line of its own nor
    /// reorder what a terminal shows.
    public static func shownText(_ text: String) -> String {
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(shownTextLength) {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            default:
                shown.append(scalar)
            }
        }
        return String(shown) + (text.unicodeScalars.count > shownTextLength ? "…" : "")
    }

    /// `value` moved into `range`.
    public static func clamp<Value: Comparable>(_ value: Value, to range: ClosedRange<Value>) -> Value {
        min(max(value, range.lowerBound), range.upperBound)
    }

    /// `seconds` as a duration in `range`: not a number counts as the lower bound, an infinity as
    /// the bound on its side.
    public static func duration(seconds: Double, in range: ClosedRange<Duration>) -> Duration {
        guard !seconds.isNaN else { return range.lowerBound }
        guard seconds > range.lowerBound.timeInterval else { return range.lowerBound }
        guard seconds < range.upperBound.timeInterval else { return range.upperBound }
        return .seconds(seconds)
    }
}
