// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "backplan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "backplan", targets: ["backplan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "BackplanCore", dependencies: ["CYAML", "CSQLite"]),
        .target(name: "BackplanEmit", dependencies: ["BackplanCore"]),
        .target(
            name: "BackplanRuntime",
            dependencies: ["BackplanCore", "CSQLite", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "backplan",
            dependencies: [
                "BackplanCore",
                "BackplanEmit",
                "BackplanRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["BackplanCore", "BackplanEmit"], path: "Tests/TestSupport"),
        .testTarget(name: "BackplanCoreTests", dependencies: ["BackplanCore", "TestSupport"]),
        .testTarget(name: "BackplanEmitTests", dependencies: ["BackplanCore", "BackplanEmit", "TestSupport"], exclude: ["Fixtures", "Goldens"]),
        .testTarget(name: "BackplanRuntimeTests", dependencies: ["BackplanCore", "BackplanEmit", "BackplanRuntime", "TestSupport"]),
        .testTarget(name: "BackplanCLITests", dependencies: ["BackplanCore", "backplan", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
