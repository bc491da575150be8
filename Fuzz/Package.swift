// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for every parser that reads outside input. They live in their own package, as
// swift-protobuf's FuzzTesting/ does, so the main package's `swift build` never sees
// `-sanitize=fuzzer`. Build and run them with `scripts/fuzz [SECONDS]`; by hand:
//   swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize=fuzzer
//   .build-fuzz/debug/FuzzRuleExpression Fuzz/Corpus/RuleExpression
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// One executable per parser; its entry point is `LLVMFuzzerTestOneInput` in `Sources/NAME/NAME.swift`.
/// `products` are the main package's; `nio` are swift-nio's (a fuzzer that compares with NIO's own parser).
let targets: [(name: String, products: [String], nio: [String])] = [
    ("FuzzConfiguration", ["OAuthTopConfig"], []),
    ("FuzzRuleFile", ["OAuthTopConfig"], []),
    ("FuzzRuleExpression", ["Alerting"], []),
    ("FuzzRuleTestFile", ["OAuthTopConfig"], []),
    ("FuzzTheme", ["OAuthTopConfig"], []),
    ("FuzzDashboardFile", ["OAuthTopConfig"], []),
    ("FuzzFaultSchedule", ["OAuthTopConfig"], []),
    ("FuzzDemoAPIRequest", ["DemoIdentityProvider"], []),
    ("FuzzTokenResponse", ["TokenManager"], []),
    ("FuzzGitHubInstallationToken", ["TokenManager"], []),
    ("FuzzJWT", ["TokenManager"], []),
    ("FuzzJWKS", ["TokenManager"], []),
    ("FuzzIntrospection", ["TokenManager"], []),
    ("FuzzAuthorizationServerMetadata", ["TokenManager"], []),
    ("FuzzHTTPDate", ["Primitives"], []),
    ("FuzzSocketRequest", ["OAuthTopRuntime", "Primitives"], []),
    ("FuzzProxyRequest", ["OAuthTopConfig", "OAuthTopRuntime"], ["NIOHTTP1"]),
    ("FuzzFileMode", ["Primitives"], []),
    ("FuzzGitCredential", ["OAuthTopRuntime", "Primitives"], []),
    ("FuzzPrometheusAPI", ["OAuthTopRuntime", "Telemetry"], []),
    ("FuzzDashboardSnapshot", ["Dashboard"], []),
    ("FuzzFastTokenRequest", ["OAuthTopRuntime"], ["NIOCore", "NIOEmbedded", "NIOHTTP1"]),
    // The API proxy's wire path: its strict request parser against NIO's.
    ("FuzzWireHead", ["OAuthTopRuntime"], ["NIOCore", "NIOEmbedded", "NIOHTTP1"]),
    ("FuzzSealedState", ["Coordination"], []),
    // NIOCore's ByteBuffer comes with RedisClient (its API is in ByteBuffers).
    ("FuzzRESP", ["RedisClient"], []),
    // The API proxy's quota awareness: rate-limit headers; Cache-Control, Vary and the critical rule.
    ("FuzzRateLimitHeaders", ["OAuthTopConfig", "OAuthTopRuntime"], []),
    ("FuzzCacheHeaders", ["OAuthTopConfig", "OAuthTopRuntime"], ["NIOCore"]),
]

let package = Package(
    name: "oauthtop-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "oauthtop", path: "../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: target.products.map { .product(name: $0, package: "oauthtop") }
                + target.nio.map { .product(name: $0, package: "swift-nio") },
            swiftSettings: swiftSettings
        )
    }
)
