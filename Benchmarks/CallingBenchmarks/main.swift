import Foundation

/// `calling-bench`: keepalive scheduling and registration throughput. The measurements arrive
/// with the keepalive scheduler; until then it prints what it will measure.
let usage = """
    usage: calling-bench <benchmark> [options]

    Not built yet. It will measure, on the in-memory transport:
      keepalive   CPU, memory and lateness of keepalives under many simulated lines
      compare     the production scheduler against one task per line, in one run
      register    lines registered and deregistered per second against the emulator
    """

print(usage)
exit(CommandLine.arguments.count > 1 && !["-h", "--help"].contains(CommandLine.arguments[1]) ? 1 : 0)
