import CallingAuth
import CallingCore
import CallingTransport
import Foundation

/// `calling register`: registers lines, streams their events until Ctrl-C, then deregisters.
enum RegisterCommand: CallingCommand {
    static let spec = CommandSpec(
        name: "register",
        summary: "register lines with Webex Calling and stream their events until Ctrl-C",
        usage: "register [--lines N] [--emulator URL] …",
        options: AuthOptions.specs + [
            OptionSpec("lines", value: "N", "how many lines to register (default: 1)"),
        ],
        details: """
            Uses the tokens from `calling login`. Ctrl-C or SIGTERM deregisters every line and exits 0;
            a second Ctrl-C exits at once.
            """
    )

    static func run(_ arguments: Arguments, environment: [String: String], output: Output) async throws {
        let count = try arguments.integer("lines", default: 1, range: 1...1000)
        let settings = try AuthSettings(arguments, environment: environment, redirectURI: URL(string: "http://127.0.0.1/callback")!)
        let transport = URLSessionTransport()
        let store = settings.tokenStore(transport: transport)
        do {
            guard try await store.currentTokens() != nil else {
                throw CommandFailure(message: "no tokens in \(settings.tokenFile): run `calling login` first")
            }
        } catch let error as OAuthError {
            throw CommandFailure(message: error.message.replacingOccurrences(of: "log in again", with: "run `calling login` again"))
        }
        let configuration = settings.emulator.map { MobiusRegistrar.Configuration.emulator(baseURL: $0) } ?? .defaults
        let registrar = MobiusRegistrar(configuration: configuration, transport: transport, tokenProvider: store)
        let client = CallingClient(registrar: registrar)
        let runner = Task { await client.run() }
        let interrupts = Signals.interrupts()

        let lines: [Line]
        do {
            try await client.start()
            var added: [Line] = []
            for _ in 0..<count {
                added.append(try await client.addLine())
            }
            lines = added
        } catch {
            client.beginGracefulShutdown()
            await runner.value
            throw CommandFailure(message: "\(error)")
        }
        let started = ContinuousClock.now
        let printers = lines.enumerated().map { index, line in
            let events = line.events
            return Task {
                for await event in events {
                    report(event, line: index + 1, since: started, output: output)
                }
            }
        }
        for line in lines {
            await line.register()
        }
        output.emit("registering \(count) line\(count == 1 ? "" : "s"); Ctrl-C deregisters and exits", ["event": "started", "lines": count])

        var signals = interrupts.makeAsyncIterator()
        _ = await signals.next()
        output.emit("deregistering…", ["event": "stopping"])
        client.beginGracefulShutdown()
        let second = Task { [signals] in
            var signals = signals
            guard await signals.next() != nil else { return }
            Output.error("calling register: stopped without deregistering")
            exit(130)
        }
        await runner.value
        for printer in printers {
            await printer.value
        }
        second.cancel()
        output.emit("all lines deregistered", ["event": "stopped"])
    }

    private static func report(_ event: LineEvent, line: Int, since start: ContinuousClock.Instant, output: Output) {
        let elapsed = start.duration(to: .now)
        let seconds = elapsed.timeInterval
        var fields: [String: any Sendable] = ["line": line, "time": (seconds * 1000).rounded() / 1000]
        let text: String
        switch event {
        case .connecting: (text, fields["event"]) = ("connecting", "connecting")
        case .registered(let info):
            text = "registered on \(info.server?.description ?? "?") as \(info.mobiusDeviceID ?? "?")"
            fields["event"] = "registered"
            fields["server"] = info.server?.description ?? ""
            fields["deviceId"] = info.mobiusDeviceID ?? ""
        case .unregistered: (text, fields["event"]) = ("unregistered", "unregistered")
        case .reconnecting: (text, fields["event"]) = ("reconnecting", "reconnecting")
        case .reconnected: (text, fields["event"]) = ("reconnected", "reconnected")
        case .error(let error):
            text = "error: \(error)"
            fields["event"] = "error"
            fields["type"] = error.type
            fields["message"] = error.message
        }
        output.emit(String(format: "[%8.3f] line %d: ", seconds, line) + text, fields)
    }
}
