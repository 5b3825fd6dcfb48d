/// An ordered list of HTTP header fields with case-insensitive lookup by name.
///
/// Field order and the spelling of each name are kept as given, because some servers care;
/// lookups ignore case, as RFC 9110 requires. The `description` hides the values of fields that
/// carry credentials (`Authorization`, `Cookie`, `Set-Cookie`, `Proxy-Authorization`), so headers
/// can be logged safely.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field name as it was given.
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// Creates an empty header list.
    public init() {
        fields = []
    }

    /// Creates a header list from fields, keeping their order.
    public init(_ fields: [Field]) {
        self.fields = fields
    }

    /// Creates a header list from a dictionary literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The value of the first field with this name (case-insensitive), or `nil`.
    ///
    /// Setting a value replaces every field of that name with one field; setting `nil` removes them.
    public subscript(name: String) -> String? {
        get {
            fields.first { Self.matches($0.name, name) }?.value
        }
        set {
            if let index = fields.firstIndex(where: { Self.matches($0.name, name) }) {
                if let newValue {
                    fields[index].value = newValue
                    let tail = fields.index(after: index)
                    fields[tail...].removeAll { Self.matches($0.name, name) }
                } else {
                    fields.removeAll { Self.matches($0.name, name) }
                }
            } else if let newValue {
                fields.append(Field(name: name, value: newValue))
            }
        }
    }

    /// Whether every field can be written as one header line: a name of token characters, a
    /// value without CR, LF or NUL. A field that fails could smuggle headers or a second message
    /// into what is sent (header injection); writers refuse such headers.
    public var areWellFormed: Bool {
        fields.allSatisfy { field in
            !field.name.isEmpty && field.name.utf8.allSatisfy(Self.isTokenByte) && !field.value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Every value of fields with this name (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.matches($0.name, name) }.map(\.value)
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Reserves room for `capacity` fields, so a request whose headers are added in several
    /// steps allocates its storage once.
    public mutating func reserveCapacity(_ capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// The fields, one per line, with credential values replaced by `<redacted>`.
    public var description: String {
        fields.map { field in
            let value = Self.sensitiveNames.contains(field.name.lowercased()) ? "<redacted>" : field.value
            return "\(field.name): \(value)"
        }.joined(separator: "\n")
    }

    private static let sensitiveNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie",
    ]

    /// ASCII case-insensitive comparison without allocating: header names are ASCII tokens.
    /// The fields as one dictionary under their first spelling, the values of repeated names
    /// (in any case) joined with commas, as RFC 9110 allows and Foundation's `addValue` does.
    package var joined: [String: String] {
        var merged: [Field] = []
        merged.reserveCapacity(fields.count)
        for field in fields {
            if let index = merged.firstIndex(where: { Self.matches($0.name, field.name) }) {
                merged[index].value += "," + field.value
            } else {
                merged.append(field)
            }
        }
        return Dictionary(uniqueKeysWithValues: merged.lazy.map { ($0.name, $0.value) })
    }

    private static func matches(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8) { left, right in
            let folded = left | 0x20
            return left == right || (left ^ right == 0x20 && folded >= 0x61 && folded <= 0x7A)
        }
    }
}
