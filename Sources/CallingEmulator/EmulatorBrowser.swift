import CallingTransport
import Foundation

/// Plays the user's browser against the emulator: opens the authorize URL and returns where the
/// emulator redirects, without following the redirect (the app's redirect handler does that).
public enum EmulatorBrowser {
    /// The failure to get a redirect from the authorize endpoint.
    public struct NoRedirect: Error, Sendable, CustomStringConvertible {
        /// The status the authorize endpoint answered.
        public var status: Int
        /// What happened.
        public var description: String { "the authorize endpoint answered HTTP \(status) instead of redirecting" }
    }

    /// GETs `authorizeURL` and returns the `Location` it redirects to.
    ///
    /// - Throws: ``NoRedirect`` when the answer is not a redirect, or the transport's error.
    public static func approve(_ authorizeURL: URL, transport: any Transport) async throws -> URL {
        let response = try await transport.send(HTTPRequest(method: .get, url: authorizeURL))
        guard (300..<400).contains(response.status), let location = response.headers["Location"], let url = URL(string: location) else {
            throw NoRedirect(status: response.status)
        }
        return url
    }
}
