// swift-tools-version:6.1
import PackageDescription

/// Adapters between swift-calling and the Swift server ecosystem's packages. A package of its
/// own, so that the root package keeps no dependencies: apps add these products only if they
/// already use the package each one adapts.
let package = Package(
    name: "swift-calling-integrations",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CallingAsyncHTTPClient", targets: ["CallingAsyncHTTPClient"]),
        .library(name: "CallingLogging", targets: ["CallingLogging"]),
        .library(name: "CallingServiceLifecycle", targets: ["CallingServiceLifecycle"]),
        .executable(name: "calling-bench-integrations", targets: ["CallingIntegrationBenchmarks"]),
    ],
    dependencies: [
        .package(name: "swift-calling", path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "CallingAsyncHTTPClient",
            dependencies: [
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "CallingLogging",
            dependencies: [
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CallingServiceLifecycle",
            dependencies: [
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The root's benchmark kit, compiled here from the same sources (`Sources/BenchmarkKit`
        // links to `../Benchmarks/CallingBenchmarkKit`; a target name is unique in a package graph):
        // the root ships no benchmark product.
        .target(
            name: "BenchmarkKit",
            dependencies: [
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "CallingMobius", package: "swift-calling"),
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "CallingEmulator", package: "swift-calling"),
            ]
        ),
        .executableTarget(
            name: "CallingIntegrationBenchmarks",
            dependencies: [
                "CallingAsyncHTTPClient",
                "BenchmarkKit",
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CallingAsyncHTTPClientTests",
            dependencies: [
                "CallingAsyncHTTPClient",
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "CallingAuth", package: "swift-calling"),
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "CallingMobius", package: "swift-calling"),
                .product(name: "CallingEmulator", package: "swift-calling"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "CallingLoggingTests",
            dependencies: [
                "CallingLogging",
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CallingServiceLifecycleTests",
            dependencies: [
                "CallingServiceLifecycle",
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "CallingMobius", package: "swift-calling"),
                .product(name: "CallingEmulator", package: "swift-calling"),
                .product(name: "CallingTransport", package: "swift-calling"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
