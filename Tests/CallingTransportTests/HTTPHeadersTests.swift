import CallingTransport
import Testing

@Suite("HTTP headers")
struct HTTPHeadersTests {
    @Test("lookups ignore case and keep the first value")
    func caseInsensitiveLookup() {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add(name: "X-Many", value: "1")
        headers.add(name: "x-many", value: "2")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["X-MANY"] == "1")
        #expect(headers.values(for: "x-Many") == ["1", "2"])
        #expect(headers["Missing"] == nil)
    }

    @Test("joined: one entry per name under its first spelling, repeated names in any case joined with commas in order")
    func joined() {
        let headers: HTTPHeaders = ["Accept": "a/b", "X-One": "1", "accept": "c/d", "ACCEPT": "e/f"]
        #expect(headers.joined == ["Accept": "a/b,c/d,e/f", "X-One": "1"])
        #expect(HTTPHeaders().joined.isEmpty)
    }

    @Test("setting replaces every field of the name; nil removes them")
    func settingReplaces() {
        var headers: HTTPHeaders = ["A": "1", "Trackingid": "x", "B": "2"]
        headers.add(name: "TRACKINGID", value: "y")
        headers["trackingid"] = "z"
        #expect(headers.values(for: "TrackingId") == ["z"])
        #expect(headers.map(\.name) == ["A", "Trackingid", "B"])
        headers["b"] = nil
        #expect(headers.map(\.name) == ["A", "Trackingid"])
        headers["New"] = "n"
        #expect(headers.map(\.name).last == "New")
    }

    @Test("names that differ only in non-letters do not match")
    func nonLettersCompareExactly() {
        let headers: HTTPHeaders = ["a-b": "1"]
        #expect(headers["A-B"] == "1")
        #expect(headers["A\rB"] == nil)
        #expect(headers["a_b"] == nil)
        #expect(headers["a-bc"] == nil)
    }

    @Test("the description hides credentials")
    func descriptionRedacts() {
        let headers: HTTPHeaders = ["authorization": "Bearer sekrit-token", "Cookie": "id=sekrit", "Accept": "text/plain"]
        let text = "\(headers)"
        #expect(!text.contains("sekrit"))
        #expect(text.contains("Accept: text/plain"))
        #expect(text.contains("authorization: <redacted>"))
    }
}
