import CallingCore
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test(
        "intervals are 30 s + 2^n s + jitter, as Webex's reference client computes them",
        arguments: [(1, 1, 33), (1, 10, 42), (2, 1, 35), (2, 10, 44), (3, 1, 39), (3, 10, 48), (0, 5, 36)]
    )
    func intervals(attempt: Int, jitter: Int, seconds: Int) {
        #expect(RetryPolicy.defaults.interval(attempt: attempt, jitterSeconds: jitter) == .seconds(seconds))
    }

    @Test("a very high attempt number does not overflow")
    func cappedExponent() {
        #expect(RetryPolicy.defaults.interval(attempt: 500, jitterSeconds: 1) == .seconds(31 + (1 << 20)))
    }

    @Test("the defaults are Webex's")
    func defaults() {
        let policy = RetryPolicy.defaults
        #expect(policy.base == .seconds(30))
        #expect(policy.jitter == 1...10)
        #expect(policy.primaryBudget == .seconds(114))
    }
}
