import CallingTransport
import Foundation

/// Many users' token files in one directory, for a process that keeps many users' lines
/// registered: `<directory>/<user>.json`, one ``FileTokenPersistence`` per user (mode 0600,
/// written atomically, with its own `<user>.json.lock` for processes that share it), in a
/// directory created with mode 0700.
///
/// A user's name becomes a file name as it is when it is letters, digits, `.`, `_` and `-`
/// (not starting with `.`); any other byte is written `%XX`, so `users()` gives back exactly
/// the names that were stored.
public struct TokenDirectory: Sendable {
    /// The directory.
    public let path: String

    /// Uses the directory at `path`; it is created (mode 0700) by the first save.
    public init(path: String) {
        self.path = path
    }

    /// The longest user name, in bytes: its file name stays within the 255 bytes a file system
    /// allows, with room for `.lock` and the temporary name of an atomic save.
    public static let longestUserName = 64

    /// Where `user`'s tokens are kept.
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` for an empty name or
    ///   one longer than ``longestUserName`` bytes.
    public func persistence(for user: String) throws -> FileTokenPersistence {
        guard !user.isEmpty, user.utf8.count <= Self.longestUserName else {
            throw OAuthError(
                code: .tokenStorage,
                message: "a user name in a token directory has 1 to \(Self.longestUserName) bytes; \"\(user.prefix(Self.longestUserName))…\" does not"
            )
        }
        return FileTokenPersistence(path: "\(path)/\(Self.fileName(of: user)).json")
    }

    /// The users with a token file here, sorted; none when the directory does not exist.
    ///
    /// - Throws: ``OAuthError`` with code ``OAuthError/Code/tokenStorage`` when the directory
    ///   exists but cannot be read.
    public func users() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw OAuthError(code: .tokenStorage, message: "cannot read the token directory \(path): check its permissions")
        }
        return names.compactMap { name in
            guard name.hasSuffix(".json"), !name.hasPrefix(".") else { return nil }
            return Self.user(fromFileName: String(name.dropLast(".json".count)))
        }.sorted()
    }

    private static func fileName(of user: String) -> String {
        var name = ""
        for (index, byte) in user.utf8.enumerated() {
            if isPlain(byte), !(index == 0 && byte == UInt8(ascii: ".")) {
                name.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                name += String(format: "%%%02X", byte)
            }
        }
        return name
    }

    private static func user(fromFileName name: String) -> String? {
        var bytes: [UInt8] = []
        var rest = Substring(name)
        while let first = rest.first {
            if first == "%" {
                guard let byte = UInt8(rest.dropFirst().prefix(2), radix: 16), rest.count >= 3 else { return nil }
                bytes.append(byte)
                rest = rest.dropFirst(3)
            } else {
                guard let ascii = first.asciiValue, isPlain(ascii) else { return nil }
                bytes.append(ascii)
                rest = rest.dropFirst()
            }
        }
        return bytes.isEmpty ? nil : String(validating: bytes, as: UTF8.self)
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
