import CallingCore
import Foundation
import Testing

@Suite("File failover progress store")
struct FileFailoverProgressStoreTests {
    let directory = FileManager.default.temporaryDirectory.appending(path: "failover-\(UUID().uuidString)/state").path
    let progress = FailoverProgress(attempt: 2, elapsedSeconds: 42.5, savedAt: Date(timeIntervalSince1970: 1_800_000_000), onBackups: false)

    @Test("saves, loads and clears one file per line: mode 0600 in a new 0700 directory, no temporary left")
    func roundTrip() async throws {
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let store = FileFailoverProgressStore(directory: directory)
        #expect(await store.load(key: "user-1/+1 555 0100") == nil)
        await store.save(progress, key: "user-1/+1 555 0100")
        await store.save(FailoverProgress(attempt: 1, elapsedSeconds: 0, savedAt: progress.savedAt, onBackups: true), key: "other")
        #expect(await store.load(key: "user-1/+1 555 0100") == progress)
        #expect(await FileFailoverProgressStore(directory: directory).load(key: "other")?.onBackups == true)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["failover-other.json", "failover-user-1%2F%2B1%20555%200100.json"])
        for file in files {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int == 0o700)

        await store.clear(key: "user-1/+1 555 0100")
        #expect(await store.load(key: "user-1/+1 555 0100") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["failover-other.json"])
    }

    @Test("a corrupt file reads as no progress; an unwritable directory drops the save without failing")
    func bestEffort() async throws {
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let store = FileFailoverProgressStore(directory: directory)
        await store.save(progress, key: "line-1")
        try Data("{\"attempt\":".utf8).write(to: URL(fileURLWithPath: "\(directory)/failover-line-1.json"))
        #expect(await store.load(key: "line-1") == nil)

        let blocked = FileFailoverProgressStore(directory: "/proc/self/no-such-place")
        await blocked.save(progress, key: "line-1")
        #expect(await blocked.load(key: "line-1") == nil)
    }
}
