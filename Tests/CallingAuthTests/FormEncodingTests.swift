import CallingAuth
import Testing

@Suite("Form encoding")
struct FormEncodingTests {
    @Test("everything but unreserved characters is percent-encoded")
    func encodesReserved() {
        #expect(FormEncoding.encode([("secret", "a+b&c=d/e;f g~._-")]) == "secret=a%2Bb%26c%3Dd%2Fe%3Bf%20g~._-")
        #expect(FormEncoding.encode([("k", "é")]) == "k=%C3%A9")
    }

    @Test(
        "values round-trip through encode and decode",
        arguments: ["plain", "a+b", "x y", "&=/;?#%", "p+q/r;s t=u&v", "ünï€ødé 🎉", "", "%2B already-escaped"]
    )
    func roundTrip(value: String) {
        let decoded = FormEncoding.decode(FormEncoding.encode([("name with space", value), ("second", value)]))
        #expect(decoded.map(\.name) == ["name with space", "second"])
        #expect(decoded.map(\.value) == [value, value])
    }

    @Test("decoding reads + as a space and keeps malformed escapes")
    func decodesLeniently() {
        let fields = FormEncoding.decode("a=1+2&b=%zz&c&d=%4")
        #expect(fields.map(\.name) == ["a", "b", "c", "d"])
        #expect(fields.map(\.value) == ["1 2", "%zz", "", "%4"])
    }
}
