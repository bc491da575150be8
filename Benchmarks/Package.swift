// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main package never depends on ordo-one/benchmark.
// Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "oauthtop-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "oauthtop", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .executableTarget(
            name: "TokenManagerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TokenManager", package: "oauthtop"),
                .product(name: "DemoIdentityProvider", package: "oauthtop"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/TokenManagerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DashboardBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Dashboard", package: "oauthtop"),
            ],
            path: "Benchmarks/DashboardBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AlertingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Alerting", package: "oauthtop"),
                .product(name: "OAuthTopConfig", package: "oauthtop"),
                .product(name: "Telemetry", package: "oauthtop"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Benchmarks/AlertingBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a benchmark (its folder is not Benchmarks/): the identity provider that
        // Benchmarks/socket-compare runs `oauthtop run --headless` against.
        .executableTarget(
            name: "bench-identity-provider",
            dependencies: [
                .product(name: "DemoIdentityProvider", package: "oauthtop"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/BenchIdentityProvider",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Not a benchmark either: the fleet protocol's Redis round trips, for Benchmarks/redis-compare.
        .executableTarget(
            name: "bench-fleet",
            dependencies: [
                .product(name: "Coordination", package: "oauthtop"),
                .product(name: "RedisClient", package: "oauthtop"),
                .product(name: "TokenManager", package: "oauthtop"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/BenchFleet",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Not a benchmark: a raw TCP relay on SwiftNIO (no HTTP), the floor of forwarding on NIO, for
        // Benchmarks/proxy-compare's `relay` target.
        .executableTarget(
            name: "raw-relay",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tools/RawRelay",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
