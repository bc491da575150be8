// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "oauthtop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "oauthtop", targets: ["oauthtop"]),
        .library(name: "TokenManager", targets: ["TokenManager"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "Dashboard", targets: ["Dashboard"]),
        .library(name: "DemoIdentityProvider", targets: ["DemoIdentityProvider"]),
        .library(name: "OAuthTopConfig", targets: ["OAuthTopConfig"]),
        .library(name: "OAuthTopRuntime", targets: ["OAuthTopRuntime"]),
        .library(name: "Alerting", targets: ["Alerting"]),
        .library(name: "Notifiers", targets: ["Notifiers"]),
        .library(name: "Primitives", targets: ["Primitives"]),
        .library(name: "Coordination", targets: ["Coordination"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "Allocator", targets: ["Allocator"]),
    ],
    traits: [
        .trait(
            name: "Jemalloc",
            description: "Link Debian's jemalloc (apt-get install libjemalloc-dev) into the executables as their malloc: "
                + "the release build for servers (README, Building for a server)"
        )
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "oauthtop",
            dependencies: [
                "Alerting", "TokenManager", "Telemetry", "DemoIdentityProvider", "OAuthTopConfig", "OAuthTopRuntime",
                "Dashboard", "Terminal", "Allocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OAuthTopRuntime",
            dependencies: [
                "Alerting", "Coordination", "Notifiers", "TokenManager", "Telemetry", "DemoIdentityProvider", "OAuthTopConfig",
                "Dashboard", "Terminal", "Primitives", "RedisClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Cells",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Dashboard",
            dependencies: ["Cells"],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        .target(
            name: "Allocator",
            dependencies: [.target(name: "CJemalloc", condition: .when(traits: ["Jemalloc"]))],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CNCurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "Terminal",
            dependencies: ["CNCurses", "Cells", "Primitives"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "terminal-demo",
            dependencies: [
                "Cells", "Terminal",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Telemetry",
            dependencies: [
                "Primitives",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Primitives",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                "Primitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TokenManager",
            dependencies: [
                "Primitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DemoIdentityProvider",
            dependencies: [
                "Primitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Coordination",
            dependencies: [
                "Primitives", "RedisClient", "TokenManager",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Alerting",
            dependencies: ["Telemetry"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifiers",
            dependencies: [
                "Primitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OAuthTopConfig",
            dependencies: [
                "Alerting", "Dashboard", "DemoIdentityProvider", "Notifiers", "Primitives", "RedisClient", "TokenManager",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support (polling, the scripted token endpoint, loopback ports, log capture, tags):
        // only test targets depend on it.
        .target(
            name: "OAuthTopTestKit",
            dependencies: [
                "Dashboard", "Primitives", "RedisClient", "TokenManager",
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/OAuthTopTestKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: ["Dashboard", "OAuthTopTestKit"],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OAuthTopRuntimeTests",
            dependencies: [
                "Alerting", "Dashboard", "Notifiers", "OAuthTopConfig", "OAuthTopRuntime", "OAuthTopTestKit",
                "Primitives", "Telemetry", "TokenManager",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenSocketTests",
            dependencies: [
                "DemoIdentityProvider", "OAuthTopConfig", "OAuthTopRuntime", "OAuthTopTestKit", "Primitives", "Telemetry",
                "TokenManager",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "DemoIdentityProvider", "OAuthTopConfig", "OAuthTopRuntime", "OAuthTopTestKit", "Primitives", "Telemetry",
                "TokenManager",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TerminalTests",
            dependencies: ["CNCurses", "Cells", "OAuthTopTestKit", "Terminal"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "OAuthTopTestKit", "Primitives", "Telemetry", "TokenManager",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "OAuthTopTestKit", "Primitives", "RedisClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PrimitivesTests",
            dependencies: ["Primitives", .product(name: "Clocks", package: "swift-clocks")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenManagerTests",
            dependencies: [
                "TokenManager", "DemoIdentityProvider", "OAuthTopTestKit", "Telemetry",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CoordinationTests",
            dependencies: [
                "Coordination", "OAuthTopTestKit", "RedisClient", "TokenManager",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DemoIdentityProviderTests",
            dependencies: [
                "DemoIdentityProvider", "OAuthTopTestKit", "Primitives",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OAuthTopCLITests",
            dependencies: [
                "Alerting", "DemoIdentityProvider", "OAuthTopConfig", "OAuthTopRuntime", "OAuthTopTestKit",
                "Primitives", "RedisClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AlertingTests",
            dependencies: [
                "Alerting", "OAuthTopTestKit", "Telemetry", .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotifiersTests",
            dependencies: [
                "Notifiers", "OAuthTopTestKit", "Primitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OAuthTopConfigTests",
            dependencies: [
                "Dashboard", "DemoIdentityProvider", "Notifiers", "OAuthTopConfig", "OAuthTopTestKit", "Primitives",
                "TokenManager",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
