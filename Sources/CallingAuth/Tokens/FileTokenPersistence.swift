import CallingTransport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tokens in a JSON file that only the user can read.
///
/// Writes go to a new file created with mode 0600 in the same directory, are flushed to disk,
/// and then renamed over the old file, so a crash or a concurrent reader sees either the old
/// tokens or the new ones, never a mix. The directory is created (mode 0700) when missing.
/// A file that cannot be read or parsed is reported with its path and left as it is.
public struct FileTokenPersistence: TokenPersistence {
    /// The token file.
    public let path: String

    /// Creates a persistence for the file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Reads the token file; `nil` when it does not exist.
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` naming the path when
    ///   the file cannot be read or is not a token file.
    public func load() async throws -> TokenSet? {
        guard FileManager.default.fileExists(atPath: path) else {
            return nil
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw OAuthError(
                code: .tokenStorage,
                message: "cannot read the token file \(path): check its permissions, or log in again to replace it",
                underlying: FileError(description: (error as NSError).localizedDescription)
            )
        }
        do {
            return try Self.decoder.decode(TokenSet.self, from: data)
        } catch {
            throw OAuthError(
                code: .tokenStorage,
                message: "the token file \(path) is not valid token JSON: log in again to replace it"
            )
        }
    }

    /// What is wrong with where the file is, for the app to show the user: a file other users
    /// can read or that another user owns, or a symlink (a save replaces the link with a file
    /// of its own rather than follow it elsewhere). Empty when all is well or there is no file.
    public func warnings() -> [String] {
        var info = stat()
        guard lstat(path, &info) == 0 else { return [] }
        if info.st_mode & S_IFMT == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            return ["the token file \(path) is a symlink to \(target): saving replaces the link with a file; point the token file at the real one"]
        }
        var warnings: [String] = []
        if info.st_mode & 0o077 != 0 {
            warnings.append("the token file \(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 \(path)")
        }
        if info.st_uid != getuid() {
            warnings.append("the token file \(path) belongs to another user (uid \(info.st_uid)): use a token file of your own")
        }
        return warnings
    }

    /// Runs `body` holding an advisory lock (`flock`) on `<path>.lock`, so processes sharing
    /// the file refresh one at a time.
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` when the lock cannot
    ///   be taken within 30 s; otherwise what `body` throws.
    public func withExclusiveAccess<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        do {
            return try await FileLock.withLock(path + ".lock", body)
        } catch let error as FileError {
            throw OAuthError(code: .tokenStorage, message: "cannot lock the token file \(path): \(error)", underlying: error)
        }
    }

    /// Atomically replaces the token file (temporary file with mode 0600, fsync, rename).
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` naming the path.
    public func save(_ tokens: TokenSet) async throws {
        let data = try Self.encoder.encode(tokens)
        do {
            try PrivateFile.replace(path, with: data)
        } catch {
            throw OAuthError(
                code: .tokenStorage,
                message: "cannot write the token file \(path): check that its directory is writable",
                underlying: error
            )
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
