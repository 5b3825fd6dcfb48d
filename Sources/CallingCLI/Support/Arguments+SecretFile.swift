import CallingCommandLine
import Foundation

extension Arguments {
    /// ``Arguments/file(_:holding:)`` for a file that holds a secret: warns on standard error
    /// when other users can read it, as the token file does.
    func secretFile(_ name: String, holding what: String) throws -> (path: String, text: String)? {
        guard let (path, text) = try file(name, holding: what) else { return nil }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            Output.error("warning: the \(what) file \(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 \(path)")
        }
        return (path, text)
    }
}
