import CallingCommandLine
import FuzzSupport

/// The command-line parser: the input split at NUL bytes into arguments, against a spec with a
/// flag, valued options (one with an environment variable) and one positional; then every read.
let spec = CommandSpec(
    name: "fuzz", summary: "", usage: "",
    options: [
        OptionSpec("flag", "a flag"), OptionSpec("lines", value: "N", "a number"),
        OptionSpec("url", value: "URL", environment: "FUZZ_URL", "a URL"), OptionSpec("many", value: "X", environment: "FUZZ_MANY", "repeatable"),
    ],
    positionals: 1
)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let arguments = text(data, size).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    guard let parsed = try? Arguments(arguments, spec: spec, environment: ["FUZZ_URL": "http://127.0.0.1:1", "FUZZ_MANY": "a, b,,c"]) else {
        return 0
    }
    _ = parsed.has("flag")
    _ = try? parsed.integer("lines", default: 1, range: 1...1000)
    _ = try? parsed.url("url")
    _ = parsed.allValues("many")
    _ = parsed.positionals
    return 0
}

runFuzzer(fuzz)
