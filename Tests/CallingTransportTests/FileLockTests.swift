import CallingTransport
import Foundation
import Testing

/// The cross-process lock beside a token file (#20 case 11).
@Suite("File lock", .timeLimit(.minutes(1)))
struct FileLockTests {
    let directory = FileManager.default.temporaryDirectory.appending(path: "lock-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test("a lock held past the limit: the error says how to find the holder, and never to remove the lock file")
    func heldTooLong() async throws {
        let path = "\(directory)/tokens.json.lock"
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await FileLock.withLock(path) {
                holding.yield()
                for await _ in release { break }
            }
        }
        for await _ in held { break }
        let error = await #expect(throws: FileError.self) {
            try await FileLock.withLock(path, waitingAtMost: .milliseconds(100)) {}
        }
        #expect(error?.description.contains("fuser \(path)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("remove the file") == false)
        releasing.finish()
        try await holder.value
    }

    @Test("a lock file that is a symlink is refused, and a dangling one creates nothing at its target")
    func symlinkedLockFile() async throws {
        let target = "\(directory)/elsewhere"
        let path = "\(directory)/tokens.json.lock"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let error = await #expect(throws: FileError.self) {
            try await FileLock.withLock(path) {}
        }
        #expect(error?.description.contains("is a symbolic link") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
