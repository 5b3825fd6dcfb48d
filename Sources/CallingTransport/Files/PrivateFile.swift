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
/// contents or the new, never a mix. Missing directories are created with mode 0700, each one of
/// them. Temporary files of ours that a killed process left behind (they may hold live tokens)
/// are removed by the next write once they are a minute old.
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
                try makeDirectories(directory)
            }
            try writeNewFile(temporary, data)
            try check(rename(temporary, path), "rename")
        } catch {
            unlink(temporary)
            throw error
        }
        removeStaleTemporaries(of: path)
    }

    /// How old a temporary file must be before a later write takes it for a leftover.
    static let staleAge: TimeInterval = 60

    /// Creates each missing directory of `directory` with mode 0700 (`mkdir -p`, but private).
    private static func makeDirectories(_ directory: String) throws(FileError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw FileError(description: "create directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Removes `.<name>.<uuid>.tmp` files beside `path` older than ``staleAge``.
    private static func removeStaleTemporaries(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let prefix = ".\((path as NSString).lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let candidate = "\(folder)/\(name)"
            var info = stat()
            guard lstat(candidate, &info) == 0 else { continue }
            #if canImport(Darwin)
            let modified = info.st_mtimespec.tv_sec
            #else
            let modified = info.st_mtim.tv_sec
            #endif
            if Date().timeIntervalSince1970 - TimeInterval(modified) > staleAge {
                unlink(candidate)
            }
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
