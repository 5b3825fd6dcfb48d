import CallingTransport
import Foundation

/// Failover progress in a directory: one small JSON file per line, written atomically with mode
/// 0600 before the line acts on it, so a restarted process resumes a failover where the last
/// one stopped instead of hammering the primaries from the start.
///
/// Give lines a key that is the same in every run (``LineOptions/persistenceKey``, or the
/// default: the user id with the line's phone number or extension). Saving is best effort, as
/// ``FailoverProgressStore`` asks: a file that cannot be written or read is treated as none.
public struct FileFailoverProgressStore: FailoverProgressStore {
    /// The directory holding the files.
    public let directory: String

    /// Creates a store in `directory`, which is created (mode 0700) on the first save.
    public init(directory: String) {
        self.directory = directory
    }

    /// The saved progress for a line; `nil` when there is none or it cannot be read.
    public func load(key: String) async -> FailoverProgress? {
        FileManager.default.contents(atPath: path(for: key)).flatMap(Self.decode)
    }

    /// A saved file's progress; `nil` when it is not one.
    package static func decode(_ data: Data) -> FailoverProgress? {
        try? decoder.decode(FailoverProgress.self, from: data)
    }

    /// Replaces a line's progress.
    public func save(_ progress: FailoverProgress, key: String) async {
        guard let data = try? Self.encoder.encode(progress) else { return }
        try? PrivateFile.replace(path(for: key), with: data)
    }

    /// Removes a line's progress.
    public func clear(key: String) async {
        PrivateFile.remove(path(for: key))
    }

    /// `failover-<key>.json`, the key's bytes other than letters, digits, `-`, `_` and `.` written
    /// as `%XX`, so any key is one file name of its own.
    func path(for key: String) -> String {
        var name = ""
        for byte in key.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar) {
                name.unicodeScalars.append(scalar)
            } else {
                name += String(format: "%%%02X", byte)
            }
        }
        return "\(directory)/failover-\(name).json"
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
