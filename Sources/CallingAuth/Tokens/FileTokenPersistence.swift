import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
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

    /// Atomically replaces the token file (temporary file with mode 0600, fsync, rename).
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` naming the path.
    public func save(_ tokens: TokenSet) async throws {
        let data = try Self.encoder.encode(tokens)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp"
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
                )
            }
            try Self.writeNewFile(temporary, data)
            try Self.check(rename(temporary, path), "rename")
        } catch {
            unlink(temporary)
            throw OAuthError(
                code: .tokenStorage,
                message: "cannot write the token file \(path): check that its directory is writable",
                underlying: error as? FileError ?? FileError(description: "\(error)")
            )
        }
    }

    private static func writeNewFile(_ path: String, _ data: Data) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        try check(descriptor, "create")
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR {
                    continue
                }
                try check(written < 0 ? -1 : 0, "write")
                offset += written
            }
        }
        try check(fsync(descriptor), "fsync")
    }

    private static func check(_ result: some BinaryInteger, _ operation: String) throws {
        if result < 0 {
            throw FileError(description: "\(operation): \(String(cString: strerror(errno)))")
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

/// A file system failure, described by the failing call and the system's reason.
struct FileError: Error, Sendable, CustomStringConvertible {
    let description: String
}
