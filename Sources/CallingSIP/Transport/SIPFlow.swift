import CallingCore
import CallingTransport
import Foundation

/// Every request to one registrar: one socket shared by all lines, opened on first use and
/// again after it fails, and each answer handed to the transaction that waits for it, found by
/// the branch of its top `Via` (RFC 3261 §17.1.3).
///
/// Over TCP a transaction that times out also ends its connection: on a stream, one answer
/// whose `Content-Length` overstates its body swallows the answers after it, so a silent
/// connection is not trusted again. The transactions still waiting on it fail at once, and the
/// next request opens a new one.
final class SIPFlow: Sendable {
    /// Why a transaction ended without a final answer.
    enum Failure: Error, Sendable, CustomStringConvertible {
        /// Timer F passed with no final answer.
        case timedOut(Duration)
        /// The socket could not be opened, or the registrar refused or closed it.
        case unreachable(SIPSocket.Failure)

        var description: String {
            switch self {
            case .timedOut(let timeout): "no answer within \(timeout)"
            case .unreachable(let failure): failure.description
            }
        }
    }

    private struct State {
        var socket: Task<SIPSocket, any Error>?
        /// The socket `socket` opened, once it has.
        var opened: SIPSocket?
        var waiting: [String: CheckedContinuation<SIPMessage, any Error>] = [:]
    }

    let registrar: SIPAddress
    let transport: SIPTransport
    private let timers: SIPTimers
    private let time: TimeSource
    private let state = Locked(State())

    init(registrar: SIPAddress, transport: SIPTransport, timers: SIPTimers, time: TimeSource) {
        self.registrar = registrar
        self.transport = transport
        self.timers = timers
        self.time = time
    }

    /// The socket, opened if there is none; every caller waiting for it gets the same one.
    func socket() async throws(Failure) -> SIPSocket {
        let opening = state.withLock { state in
            if let socket = state.socket { return socket }
            let opening = Task { [registrar, transport] in
                // A thread of its own for the blocking resolve and connect: on one of Dispatch's
                // few global threads it could hold up URLSession and everything else queued there.
                let descriptor = try await withCheckedThrowingContinuation { continuation in
                    Thread {
                        continuation.resume(with: Result { () throws(SIPSocket.Failure) in
                            try SIPSocket.connect(host: registrar.host, port: registrar.effectivePort, transport: transport)
                        })
                    }.start()
                }
                return SIPSocket(descriptor: descriptor, transport: transport)
            }
            state.socket = opening
            return opening
        }
        do {
            let socket = try await opening.value
            state.withLock { state in
                if state.socket == opening { state.opened = socket }
            }
            socket.startReading { [weak self] report in self?.handle(report, from: opening) }
            return socket
        } catch {
            forget(opening)
            throw .unreachable(error as? SIPSocket.Failure ?? SIPSocket.Failure(description: "\(error)"))
        }
    }

    /// Sends `request` and waits for its final answer: retransmitted on the timers over UDP,
    /// given up after Timer F, failed at once when the registrar refuses or closes the socket.
    /// Provisional (1xx) answers are skipped.
    func send(_ request: SIPMessage, branch: String) async throws(Failure) -> SIPMessage {
        let socket = try await socket()
        let bytes = request.serialized()
        let timers = timers
        let time = time
        do {
            return try await withThrowingTaskGroup(of: SIPMessage.self) { group in
                group.addTask { try await self.answer(to: branch, sending: bytes, over: socket) }
                group.addTask {
                    let start = time.now()
                    for offset in timers.retransmissions(over: socket.transport) {
                        try await time.sleepUntil(start + offset)
                        try? socket.send(bytes)
                    }
                    try await time.sleepUntil(start + timers.timeout)
                    throw Failure.timedOut(timers.timeout)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let failure as Failure {
            if case .timedOut = failure, socket.transport == .tcp {
                reset(socket, because: failure)
            }
            throw failure
        } catch let failure as SIPSocket.Failure {
            throw .unreachable(failure)
        } catch {
            throw .unreachable(SIPSocket.Failure(description: "cancelled"))
        }
    }

    /// Waits for the final answer on `branch` after sending the request once.
    private func answer(to branch: String, sending bytes: [UInt8], over socket: SIPSocket) async throws -> SIPMessage {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelled = state.withLock { state in
                    guard !Task.isCancelled else { return true }
                    state.waiting[branch] = continuation
                    return false
                }
                guard !cancelled else { return continuation.resume(throwing: CancellationError()) }
                do {
                    try socket.send(bytes)
                } catch {
                    state.withLock { $0.waiting.removeValue(forKey: branch) }?.resume(throwing: error)
                }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: branch) }?.resume(throwing: CancellationError())
        }
    }

    /// A report from the socket's reading thread.
    private func handle(_ report: SIPSocket.Report, from opening: Task<SIPSocket, any Error>) {
        switch report {
        case .message(let message):
            guard let status = message.status, status >= 200, let via = message.values("Via").first,
                let branch = SIPHeaderValue(via).parameters["branch"]
            else { return }
            state.withLock { $0.waiting.removeValue(forKey: branch) }?.resume(returning: message)
        case .failure(let failure, let final):
            if final { forget(opening) }
            let waiting = state.withLock { state in
                defer { state.waiting = [:] }
                return state.waiting.values
            }
            waiting.forEach { $0.resume(throwing: failure) }
        }
    }

    /// Drops `opening` so that the next request opens a new socket.
    private func forget(_ opening: Task<SIPSocket, any Error>) {
        state.withLock { state in
            if state.socket == opening {
                state.socket = nil
                state.opened = nil
            }
        }
    }

    /// Closes `socket` if it is still the one in use, and fails the transactions waiting on it.
    private func reset(_ socket: SIPSocket, because failure: Failure) {
        let waiting = state.withLock { state -> [CheckedContinuation<SIPMessage, any Error>] in
            guard state.opened === socket else { return [] }
            state.socket = nil
            state.opened = nil
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        socket.close()
        let reason = SIPSocket.Failure(description: "the connection was reset: an earlier request got \(failure)")
        waiting.forEach { $0.resume(throwing: reason) }
    }
}
