// swift-tools-version:6.1
import Foundation
import PackageDescription

let package = Package(
    name: "swift-calling",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "CallingTransport", targets: ["CallingTransport"]),
        .library(name: "CallingAuth", targets: ["CallingAuth"]),
        .library(name: "CallingCore", targets: ["CallingCore"]),
        .library(name: "CallingMobius", targets: ["CallingMobius"]),
        .library(name: "CallingSIP", targets: ["CallingSIP"]),
        .library(name: "CallingEmulator", targets: ["CallingEmulator"]),
        .library(name: "CallingTesting", targets: ["CallingTesting"]),
        .executable(name: "calling", targets: ["CallingCLI"]),
        .executable(name: "calling-bench", targets: ["CallingBenchmarks"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "CallingTransport"),
        .target(name: "CallingAuth", dependencies: ["CallingTransport"]),
        .target(name: "CallingCore", dependencies: ["CallingTransport"]),
        .target(name: "CallingMobius", dependencies: ["CallingCore", "CallingTransport"]),
        .target(name: "CallingSIP", dependencies: ["CallingCore", "CallingTransport"]),
        .target(name: "CallingLoopback", dependencies: ["CallingTransport"]),
        .target(name: "CallingCommandLine"),
        .target(name: "CallingKamailio", resources: [.copy("Registrar")]),
        .target(
            name: "CallingEmulator",
            dependencies: ["CallingTransport", "CallingAuth", "CallingCore", "CallingMobius", "CallingLoopback"]
        ),
        .executableTarget(
            name: "CallingCLI",
            dependencies: [
                "CallingTransport", "CallingAuth", "CallingCore", "CallingMobius", "CallingSIP", "CallingLoopback", "CallingEmulator",
                "CallingCommandLine",
            ]
        ),
        .executableTarget(
            name: "CallingBenchmarks",
            dependencies: [
                "CallingCore", "CallingMobius", "CallingSIP", "CallingTransport", "CallingEmulator", "CallingKamailio", "CallingBenchmarkKit",
                "CallingBenchmarkHeap",
            ],
            path: "Benchmarks/CallingBenchmarks"
        ),
        .target(
            name: "CallingBenchmarkKit",
            dependencies: ["CallingCore", "CallingMobius", "CallingTransport", "CallingEmulator"],
            path: "Benchmarks/CallingBenchmarkKit"
        ),
        .target(name: "CallingBenchmarkHeap", path: "Benchmarks/CallingBenchmarkHeap"),
        .target(name: "CallingTesting", dependencies: ["CallingCore", "CallingTransport"]),
        .target(
            name: "CallingTestSupport",
            dependencies: ["CallingTransport", "CallingAuth", "CallingCore", "CallingLoopback", "CallingTesting"]
        ),
        .testTarget(
            name: "CallingTransportTests",
            dependencies: ["CallingTransport", "CallingTestSupport", "CallingTesting", "CallingLoopback"]
        ),
        .testTarget(
            name: "CallingAuthTests",
            dependencies: ["CallingAuth", "CallingTransport", "CallingTestSupport", "CallingTesting", "CallingLoopback"]
        ),
        .testTarget(
            name: "CallingCoreTests",
            dependencies: ["CallingCore", "CallingTransport", "CallingTestSupport", "CallingTesting"]
        ),
        .testTarget(
            name: "CallingSIPTests",
            dependencies: ["CallingSIP", "CallingCore", "CallingTransport", "CallingKamailio", "CallingTestSupport", "CallingTesting"]
        ),
        .testTarget(
            name: "CallingMobiusTests",
            dependencies: ["CallingMobius", "CallingCore", "CallingTransport", "CallingTestSupport", "CallingTesting"]
        ),
        .testTarget(
            name: "CallingLoopbackTests",
            dependencies: ["CallingLoopback", "CallingTransport", "CallingTestSupport", "CallingTesting"]
        ),
        .testTarget(
            name: "CallingEmulatorTests",
            dependencies: ["CallingEmulator", "CallingAuth", "CallingCore", "CallingMobius", "CallingTransport", "CallingTestSupport", "CallingTesting"]
        ),
        .testTarget(name: "CallingCLITests", dependencies: ["CallingCLI", "CallingTransport", "CallingKamailio", "CallingTestSupport", "CallingTesting"]),
    ]
)

// The libFuzzer targets (`Fuzz/`), only when asked for: they link libFuzzer, so they build only
// with `-sanitize=fuzzer`. `.ci/fuzz` builds and runs them.
if ProcessInfo.processInfo.environment["CALLING_FUZZ"] == "1" {
    let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzSIPMessage", ["CallingSIP"]),
        ("FuzzDigestChallenge", ["CallingSIP"]),
        ("FuzzHTTPRequest", ["CallingLoopback"]),
        ("FuzzRedirect", ["CallingAuth", "CallingTransport"]),
        ("FuzzTokenResponse", ["CallingAuth", "CallingTransport"]),
        ("FuzzRetryAfter", ["CallingMobius"]),
        ("FuzzMobiusAnswers", ["CallingMobius", "CallingCore"]),
        ("FuzzArguments", ["CallingCommandLine"]),
        ("FuzzLineLife", ["CallingCore", "CallingMobius", "CallingSIP", "CallingTestSupport", "CallingTesting", "CallingTransport"]),
    ]
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"))
    for fuzzer in fuzzers {
        package.targets.append(.executableTarget(name: fuzzer.name, dependencies: fuzzer.dependencies + ["FuzzSupport"], path: "Fuzz/\(fuzzer.name)"))
        package.products.append(.executable(name: fuzzer.name, targets: [fuzzer.name]))
    }
}

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
