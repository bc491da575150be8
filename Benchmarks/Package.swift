// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main package never depends on ordo-one/benchmark.
// Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "oauthtop-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // With oauthtop's `Jemalloc` trait, as its release build for servers: the executables here that link
        // oauthtop's `Allocator` (flight-bench) run on jemalloc. Needs libjemalloc-dev (compare installs it).
        .package(name: "oauthtop", path: "../", traits: ["Jemalloc"]),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .executableTarget(
            name: "TokenManagerBenchmarks",
            dependencies: [
                "FlightRun",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TokenManager", package: "oauthtop"),
                .product(name: "DemoIdentityProvider", package: "oauthtop"),
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
        // Not a benchmark: the single-flight run (its endpoint, callers and floors), shared by
        // TokenManagerBenchmarks and flight-bench.
        .target(
            name: "FlightRun",
            dependencies: [
                .product(name: "TokenManager", package: "oauthtop"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tools/FlightRun",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Not a benchmark either: the single-flight run in a plain process, as the Go anchor runs it (no
        // malloc interposer), for Benchmarks/compare's flight group.
        .executableTarget(
            name: "flight-bench",
            dependencies: ["FlightRun", .product(name: "Allocator", package: "oauthtop")],
            path: "Tools/FlightBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
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
