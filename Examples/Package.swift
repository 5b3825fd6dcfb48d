// swift-tools-version:6.1
import PackageDescription

/// Examples that build on swift-calling the way an app or a plugin does: through its public
/// products only, from a package of their own.
let package = Package(
    name: "swift-calling-examples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-calling", path: ".."),
    ],
    targets: [
        // A third-party registrar: lines registered with a lab PBX over a tiny HTTP API.
        .target(
            name: "LabRegistrar",
            dependencies: [
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "CallingTransport", package: "swift-calling"),
            ]
        ),
        .testTarget(
            name: "LabRegistrarTests",
            dependencies: [
                "LabRegistrar",
                .product(name: "CallingCore", package: "swift-calling"),
                .product(name: "CallingTesting", package: "swift-calling"),
                .product(name: "CallingTransport", package: "swift-calling"),
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
