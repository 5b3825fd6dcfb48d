#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether this test process runs under ThreadSanitizer (`swift test --sanitize=thread`).
public enum ThreadSanitizer {
    /// Its runtime is linked in. A test of scale runs smaller then: the sanitizer makes it many
    /// times slower, and it would starve the tests running beside it of both cores.
    public static let isRunning: Bool = {
        #if canImport(Darwin)
        let everywhere = UnsafeMutableRawPointer(bitPattern: -2)
        #else
        let everywhere: UnsafeMutableRawPointer? = nil
        #endif
        return dlsym(everywhere, "__tsan_init") != nil
    }()
}
