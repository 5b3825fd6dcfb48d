import CallingTransport
import Foundation
import Testing

@Suite("Random UUIDs")
struct RandomUUIDTests {
    @Test("version 4 and the RFC 4122 variant, parsable back, and no repeats in 10,000")
    func versionVariantAndUniqueness() {
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 4)
            #expect(id.uuid.8 >> 6 == 0b10)
            #expect(UUID(uuidString: id.uuidString) == id)
        }
    }
}
