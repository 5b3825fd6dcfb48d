import CallingCore
import CallingTransport

/// What the soak's lines report, checked as it arrives: each line's events must follow the
/// order a line can produce (`reconnecting` and `reconnected` only while registered, `reconnected`
/// only after `reconnecting`, no second `registered` without `unregistered` between), and every
/// error but the documented non-final `not_found` counts as final.
final class SoakLedger: Sendable {
    /// What one phase saw.
    struct Counts {
        var events = 0
        var finalErrors = 0
        var notFound = 0
        var outOfOrder = 0
        /// The final errors' types, for the row (none expected).
        var finalTypes: Set<String> = []
    }

    private struct Track {
        var registered = false
        var troubled = false
    }

    private let state: Locked<(tracks: [Track], counts: Counts)>

    init(lines: Int) {
        state = Locked((Array(repeating: Track(), count: lines), Counts()))
    }

    func record(_ event: LineEvent, line: Int) {
        state.withLock { state in
            state.counts.events += 1
            var track = state.tracks[line]
            var inOrder = true
            switch event {
            case .connecting:
                break
            case .registered:
                inOrder = !track.registered
                track = Track(registered: true, troubled: false)
            case .unregistered:
                track = Track()
            case .reconnecting:
                inOrder = track.registered
                track.troubled = true
            case .reconnected:
                inOrder = track.registered && track.troubled
                track.troubled = false
            case .error(let error):
                track = Track()
                if error.code == .notFound {
                    state.counts.notFound += 1
                } else {
                    state.counts.finalErrors += 1
                    state.counts.finalTypes.insert(error.code.description)
                }
            }
            if !inOrder {
                state.counts.outOfOrder += 1
            }
            state.tracks[line] = track
        }
    }

    /// The counts since the last call.
    func take() -> Counts {
        state.withLock { state in
            defer { state.counts = Counts() }
            return state.counts
        }
    }
}
