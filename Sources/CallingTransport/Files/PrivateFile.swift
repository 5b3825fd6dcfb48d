import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file only the user can read, replaced atomically: token files and saved failover progress.
///
/// A write goes to a new file created with mode 0600 in the same directory, is flushed to disk,
/// and is then renamed over the old file, so a crash or a concurrent reader sees either the old
/// contents or the new, never a mix. A missing directory is created with mode 0700.
package enum PrivateFile {
    /// Replaces the file at `path` with `data`.
    ///
    /// - Throws: ``FileError`` naming the failing call and the system's reason; no temporary
    ///   file is left behind.
    package static func replace(_ path: String, with data: Data) throws(FileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory.isEmpty ? "." : directory)/.\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp"
        do throws(FileError) {
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
                    )
                } catch {
                    throw FileError(description: "create directory: \((error as NSError).localizedDescription)")
                }
            }
            try writeNewFile(temporary, data)
            try check(rename(temporary, path), "rename")
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Removes the file at `path`; a missing file is not an error.
    package static func remove(_ path: String) {
        unlink(path)
    }

    private static func writeNewFile(_ path: String, _ data: Data) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        try check(descriptor, "create")
        defer { close(descriptor) }
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 && errno == EINTR {
                continue
            }
            try check(written < 0 ? -1 : 0, "write")
            offset += written
        }
        try check(fsync(descriptor), "fsync")
    }

    private static func check(_ result: some BinaryInteger, _ operation: String) throws(FileError) {
        if result < 0 {
            throw FileError(description: "\(operation): \(String(cString: strerror(errno)))")
        }
    }
}

/// A file system failure, described by the failing call and the system's reason.
package struct FileError: Error, Sendable, CustomStringConvertible {
    package let description: String

    package init(description: String) {
        self.description = description
    }
}
