import Foundation

/// The `calling` command. Its subcommands arrive with the emulator (see the README's roadmap);
/// until then it says so plainly rather than pretending.
let usage = """
    usage: calling <command> [options]

    swift-calling's command line. These commands are being built and are not available yet:
      demo        the whole flow (login, register, keepalives, failover) on an embedded emulator
      emulator    serve the offline Webex emulator on 127.0.0.1
      login       log in to Webex with OAuth 2.0 and PKCE
      token       show or refresh the stored tokens
      register    register lines with Webex Calling and stream their events

    Today the library is usable from Swift (CallingTransport, CallingAuth); run `swift test` to
    see it work.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case nil, "-h", "--help", "help":
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
case let command? where ["demo", "emulator", "login", "token", "register"].contains(command):
    FileHandle.standardError.write(Data("calling: `\(command)` is not built yet; run `swift test` to exercise the library today\n".utf8))
    exit(1)
case let command?:
    FileHandle.standardError.write(Data("calling: unknown command '\(command)'; run `calling --help` for the list\n".utf8))
    exit(2)
}
