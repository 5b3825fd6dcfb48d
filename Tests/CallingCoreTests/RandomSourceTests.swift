@testable import CallingCore
import Testing

@Suite("Random source")
struct RandomSourceTests {
    @Test("the default source stays in each range it is asked for and reaches every value of a small one")
    func systemCoversTheRange() {
        let random = RandomSource.system
        var seen = Set<Int>()
        for _ in 0..<1_000 {
            let value = random.next(.retryJitter, in: 1...10)
            #expect((1...10).contains(value))
            seen.insert(value)
        }
        #expect(seen == Set(1...10))
        #expect(random.next(.rehomingWindow, in: 7...7) == 7)
        #expect((Int.min...Int.max).contains(random.next(.rehomingWindow, in: Int.min...Int.max)))
    }

    @Test("two default sources are seeded apart: their first hundred draws differ")
    func sourcesAreSeededApart() {
        let first = RandomSource.system
        let second = RandomSource.system
        let draws = { (source: RandomSource) in (0..<100).map { _ in source.next(.retryJitter, in: 0...1_000_000) } }
        #expect(draws(first) != draws(second))
    }

    @Test("a generator is a function of its seed: the same seed gives the same draws")
    func seededGeneratorRepeats() {
        let first = SeededGenerator(seed: 42)
        let second = SeededGenerator(seed: 42)
        #expect((0..<50).map { _ in first.next(in: 0...99) } == (0..<50).map { _ in second.next(in: 0...99) })
    }

    @Test("SplitMix64 gives the published sequence for seed 0")
    func splitMixKnownAnswers() {
        var generator = SplitMix64(seed: 0)
        #expect((0..<3).map { _ in generator.next() } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }
}
