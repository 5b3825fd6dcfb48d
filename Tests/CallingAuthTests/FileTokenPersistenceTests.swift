import CallingAuth
import CallingTestSupport
import CallingTransport
import Foundation
import Testing

@Suite("Token file")
struct FileTokenPersistenceTests {
    let directory = FileManager.default.temporaryDirectory.appending(path: "swift-calling-tests-\(UUID().uuidString)").path

    let tokens = TokenSet(
        response: TokenResponse(
            accessToken: Secret("AT-file"), expiresIn: 3600, refreshToken: Secret("RT-file"),
            refreshTokenExpiresIn: 7_776_000, scopes: ["spark:xsi", "spark:calls_read"]
        ),
        receivedAt: Date(timeIntervalSince1970: 1_800_000_000.75)
    )

    func permissions(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func removeDirectory() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("saves and loads the same tokens, file 0600 in a new 0700 directory, no temporary left")
    func roundTrip() async throws {
        defer { removeDirectory() }
        let path = "\(directory)/nested/tokens.json"
        let persistence = FileTokenPersistence(path: path)
        try await persistence.save(tokens)
        #expect(try await persistence.load() == tokens)
        #expect(try permissions(path) == 0o600)
        #expect(try permissions("\(directory)/nested") == 0o700)
        #expect(try permissions(directory) == 0o700, "every missing directory, not only the last, is private")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/nested") == ["tokens.json"])
        #expect(persistence.warnings().isEmpty)
    }

    @Test("a save removes temporary files a killed save left (over a minute old), not one being written now")
    func staleTemporaries() async throws {
        defer { removeDirectory() }
        let path = "\(directory)/tokens.json"
        let persistence = FileTokenPersistence(path: path)
        try await persistence.save(tokens)
        let stale = "\(directory)/.tokens.json.\(UUID().uuidString).tmp"
        let fresh = "\(directory)/.tokens.json.\(UUID().uuidString).tmp"
        let unrelated = "\(directory)/.other.json.\(UUID().uuidString).tmp"
        for file in [stale, fresh, unrelated] {
            #expect(FileManager.default.createFile(atPath: file, contents: Data("RT-leftover".utf8)))
        }
        try FileManager.default.setAttributes([.modificationDate: Date() - 120], ofItemAtPath: stale)
        try FileManager.default.setAttributes([.modificationDate: Date() - 120], ofItemAtPath: unrelated)
        try await persistence.save(tokens)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: fresh))
        #expect(FileManager.default.fileExists(atPath: unrelated))
    }

    @Test("warns about a file other users can read, one another user owns, and a symlink")
    func warnings() async throws {
        defer { removeDirectory() }
        let path = "\(directory)/tokens.json"
        let persistence = FileTokenPersistence(path: path)
        try await persistence.save(tokens)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(persistence.warnings() == ["the token file \(path) can be read by other users (mode 644): run chmod 600 \(path)"])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        if getuid() == 0 {
            #expect(chown(path, 1, 1) == 0)
            #expect(persistence.warnings() == ["the token file \(path) belongs to another user (uid 1): use a token file of your own"])
        }
        let link = "\(directory)/link.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(FileTokenPersistence(path: link).warnings().first?.contains("is a symlink to \(path)") == true)
    }

    @Test("replacing a file that was readable by others leaves it 0600")
    func tightensPermissions() async throws {
        defer { removeDirectory() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/tokens.json"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644]))
        try await FileTokenPersistence(path: path).save(tokens)
        #expect(try permissions(path) == 0o600)
    }

    @Test("a missing file means no tokens")
    func missing() async throws {
        #expect(try await FileTokenPersistence(path: "\(directory)/absent.json").load() == nil)
    }

    @Test(
        "a corrupt file is a clear error naming the path, and is left as it was",
        arguments: ["not json at all", #"{"access_token":"AT-half"#, "{}", #"{"access_token":1}"#, ""]
    )
    func corrupt(content: String) async throws {
        defer { removeDirectory() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/tokens.json"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
        let persistence = FileTokenPersistence(path: path)
        let error = await #expect(throws: OAuthError.self) { try await persistence.load() }
        #expect(error?.code == .tokenStorage)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("log in again") == true)
        #expect(error?.description.contains("AT-half") == false)

        let store = TokenStore(
            client: OAuthClient(
                configuration: OAuthConfiguration(clientID: "c", clientSecret: Secret("s"), redirectURI: URL(string: "http://127.0.0.1/cb")!),
                transport: InMemoryTransport { _ in HTTPResponse(status: 500) }
            ),
            persistence: persistence
        )
        await #expect(throws: OAuthError.self) { try await store.accessToken() }
        await #expect(throws: OAuthError.self) { try await store.refresh() }
        #expect(FileManager.default.contents(atPath: path) == Data(content.utf8))
    }

    @Test("an unreadable file is a clear error naming the path")
    func unreadable() async throws {
        defer { removeDirectory() }
        let path = "\(directory)/tokens.json"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let error = await #expect(throws: OAuthError.self) { try await FileTokenPersistence(path: path).load() }
        #expect(error?.code == .tokenStorage)
        #expect(error?.message.contains(path) == true)
    }

    @Test("a failed write names the path, leaves no temporary file and no token in the error")
    func unwritable() async throws {
        defer { removeDirectory() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let blocker = "\(directory)/not-a-directory"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let path = "\(blocker)/tokens.json"
        let error = await #expect(throws: OAuthError.self) { try await FileTokenPersistence(path: path).save(tokens) }
        #expect(error?.code == .tokenStorage)
        #expect(error?.message.contains(path) == true)
        #expect(error?.description.contains("AT-file") == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["not-a-directory"])

        let target = "\(directory)/occupied.json"
        try FileManager.default.createDirectory(atPath: "\(target)/inside", withIntermediateDirectories: true)
        await #expect(throws: OAuthError.self) { try await FileTokenPersistence(path: target).save(tokens) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["not-a-directory", "occupied.json"])
    }

    @Test("readers never see a half-written file while writers replace it")
    func atomicReplacement() async throws {
        defer { removeDirectory() }
        let path = "\(directory)/tokens.json"
        let persistence = FileTokenPersistence(path: path)
        try await persistence.save(tokens)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in 0..<25 {
                        var next = tokens
                        next.accessToken = Secret(String(repeating: "w\(writer)r\(round)", count: 200))
                        try await persistence.save(next)
                    }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<50 {
                        let loaded = try await persistence.load()
                        #expect(loaded?.refreshToken == Secret("RT-file"))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["tokens.json"])
    }
}
