import CallingMobius
import Testing

@Suite("Mobius details")
struct MobiusDetailsTests {
    @Test("fit in a registration's three words, and give back what they were given")
    func packed() {
        #expect(MemoryLayout<MobiusDetails>.size <= 3 * MemoryLayout<Int>.size)
        let full = MobiusDetails(callKeepaliveInterval: .seconds(60), voicePortalNumber: 14_085_550_100, voicePortalExtension: 0)
        #expect(full.callKeepaliveInterval == .seconds(60))
        #expect(full.voicePortalNumber == 14_085_550_100)
        #expect(full.voicePortalExtension == 0)
        let none = MobiusDetails(callKeepaliveInterval: nil, voicePortalNumber: nil, voicePortalExtension: nil)
        #expect(none.callKeepaliveInterval == nil && none.voicePortalNumber == nil && none.voicePortalExtension == nil)
        #expect(full != none)
    }
}
