import AsyncHTTPClient
import CallingAsyncHTTPClient
import BenchmarkKit
import CallingTransport
import Foundation
import NIOCore
import NIOPosix

/// `calling-bench-integrations`: the wire keepalive benchmark with AsyncHTTPClient, then with
/// URLSession, each beside its bare library.
await EmulatorProcess.serveIfAsked(Array(CommandLine.arguments.dropFirst()))

let usage = """
    usage: calling-bench-integrations keepalive --path http [--lines N] [--interval-ms I] [--duration-s D] [--event-loops E] [--json]

    N lines (default 1000) registered with the emulator (in a child process, so its CPU is not
    counted) keep alive every I ms (default 1000, whole seconds) over real loopback connections,
    measured for D seconds (default 30): first with the AsyncHTTPClient transport, then with
    URLSession, each followed by the same requests at the same instants through the bare
    library. Four rows: transport async-http-client, bare-async-http-client, urlsession,
    bare-urlsession; the SDK rows carry sdk_overhead_percent. AsyncHTTPClient runs on NIO's
    shared event loop group (a thread per core), or with --event-loops E on a group of E threads.

    Run it with `swift run --package-path Integrations -c release calling-bench-integrations …`.
    """

#if DEBUG
FileHandle.standardError.write(Data("calling-bench-integrations: this is a DEBUG build; its figures are not comparable (build with -c release)\n".utf8))
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard let benchmark = arguments.first, !["-h", "--help", "help"].contains(benchmark) else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}

do {
    var options = try BenchmarkOptions(benchmark: benchmark, arguments: arguments.dropFirst(), program: "calling-bench-integrations")
    guard benchmark == "keepalive" else { throw BenchmarkError("unknown benchmark '\(benchmark)'; run `calling-bench-integrations --help`") }
    _ = try options.choice("path", default: Path.http)
    let wire = try WireKeepaliveBenchmark(
        lines: try options.number("lines", default: 1000),
        interval: .milliseconds(try options.number("interval-ms", default: 1000)),
        duration: .seconds(try options.number("duration-s", default: 30))
    )
    let eventLoops = try options.number("event-loops", default: 0)
    try options.checkUnused()
    // Its own client, handing redirects back as URLSessionTransport does (the emulator's login
    // redirects to a callback nobody listens on); the bare loop shares it.
    let group = eventLoops > 0 ? MultiThreadedEventLoopGroup(numberOfThreads: eventLoops) : nil
    let configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
    let client = group.map { HTTPClient(eventLoopGroup: $0, configuration: configuration) }
        ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let loops = group.map { _ in eventLoops } ?? NIOSingletons.groupLoopCountSuggestion
    let report = { (rows: [BenchmarkResult], loops: Int?) in
        for var row in rows {
            if let loops {
                row["event_loops"] = loops
            }
            print(options.json ? row.json() : row.text())
        }
    }
    do {
        report(try await wire.run(
            name: "async-http-client", transport: AsyncHTTPClientTransport(client: client), bare: BareAsyncHTTPClient(client: client).sender(for:)
        ), loops)
    } catch {
        try? await client.shutdown().get()
        try? await group?.shutdownGracefully()
        throw error
    }
    try await client.shutdown().get()
    try await group?.shutdownGracefully()
    let bareSession = BareURLSession()
    report(try await wire.run(name: "urlsession", transport: URLSessionTransport(), bare: bareSession.sender(for:)), nil)
} catch let error as BenchmarkError {
    FileHandle.standardError.write(Data("calling-bench-integrations: \(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("calling-bench-integrations: \(error)\n".utf8))
    exit(1)
}

/// The benchmark's only path: over HTTP.
enum Path: String {
    case http
}
