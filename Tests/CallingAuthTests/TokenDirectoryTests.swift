import CallingAuth
import CallingTransport
import Foundation
import Testing

/// Many users' token files in one directory: one private file per user, names that survive any
/// user id, and nothing else taken for a user.
@Suite("Token directory")
struct TokenDirectoryTests {
    let path = FileManager.default.temporaryDirectory.appending(path: "swift-calling-tests-\(UUID().uuidString)/users").path

    func tokens(_ access: String) -> TokenSet {
        TokenSet(
            response: TokenResponse(accessToken: Secret(access), expiresIn: 3600, refreshToken: Secret("RT-\(access)")),
            receivedAt: Date(timeIntervalSince1970: 1_800_000_000)
        )
    }

    func permissions(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("each user's tokens go to a 0600 file of its own in a 0700 directory; users() gives back exactly the names stored")
    func roundTrip() async throws {
        let directory = TokenDirectory(path: path)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(try directory.users().isEmpty)
        let users = ["emulator-user-1", "alice@example.com", "../escape", ".hidden", "a/b", "日本", "a%2Fb"]
        for user in users {
            try await directory.persistence(for: user).save(tokens(user))
        }
        #expect(try directory.users() == users.sorted())
        for user in users {
            let persistence = try directory.persistence(for: user)
            #expect(try await persistence.load() == tokens(user))
            #expect(try permissions(persistence.path) == 0o600)
            #expect((persistence.path as NSString).deletingLastPathComponent == path, "\(user) stays in the directory")
        }
        #expect(try permissions(path) == 0o700)
        #expect(try directory.persistence(for: "a/b").path == "\(path)/a%2Fb.json")
        #expect(try directory.persistence(for: ".hidden").path == "\(path)/%2Ehidden.json")
    }

    @Test("lock files, temporaries, other files and names no user has are not taken for users")
    func strayFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for name in ["bob.json", "bob.json.lock", ".bob.json.1234.tmp", "notes.txt", "a%zz.json", "%.json", "caf%C3.json", "sp ace.json"] {
            #expect(FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data("{}".utf8)))
        }
        #expect(try TokenDirectory(path: path).users() == ["bob"])
    }

    @Test("an empty user name, or one longer than 64 bytes, is refused with a message that says the bound")
    func nameBounds() throws {
        let directory = TokenDirectory(path: path)
        for user in ["", String(repeating: "é", count: 33)] {
            let error = #expect(throws: OAuthError.self) { try directory.persistence(for: user) }
            #expect(error?.code == .tokenStorage)
            #expect(error?.message.contains("1 to 64 bytes") == true)
        }
        #expect(try directory.persistence(for: String(repeating: "u", count: 64)).path.hasSuffix(".json"))
    }
}
