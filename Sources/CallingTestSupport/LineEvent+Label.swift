import CallingCore
import Foundation

extension LineEvent {
    /// The event's name with what tells one apart (the server's host, the error's code), for
    /// comparing sequences without the line snapshot.
    public var label: String {
        switch self {
        case .connecting: "connecting"
        case .registered(let info): "registered(\(info.server.map { URL(string: $0.description)?.host ?? "" } ?? ""))"
        case .unregistered: "unregistered"
        case .reconnecting: "reconnecting"
        case .reconnected: "reconnected"
        case .error(let error): "error(\(error.code.description))"
        }
    }
}

extension LineEvents.AsyncIterator {
    /// The names of the next `count` events.
    public mutating func names(_ count: Int) async -> [String] {
        var names: [String] = []
        for _ in 0..<count {
            names.append(await next()?.label ?? "<finished>")
        }
        return names
    }
}
