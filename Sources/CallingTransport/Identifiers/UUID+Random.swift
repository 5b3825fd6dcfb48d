import Foundation

extension UUID {
    /// A random (version 4) UUID from the system's generator.
    ///
    /// Foundation's `UUID()` on Linux opens `/dev/urandom` for every identifier; registering a
    /// line makes two, and at thousands of lines per second the open/read/close calls cost more
    /// than the JSON. `SystemRandomNumberGenerator` asks the kernel directly (`getrandom`).
    package static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = raw[6] & 0x0F | 0x40
            raw[8] = raw[8] & 0x3F | 0x80
            return UUID(uuid: raw.load(as: uuid_t.self))
        }
    }
}
