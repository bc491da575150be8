// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for every parser that reads outside input. They live in their own package, as
// swift-protobuf's FuzzTesting/ does, so the main package's `swift build` never sees
// `-sanitize=fuzzer`. Build and run them with `scripts/fuzz [SECONDS]`; by hand:
//   swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize=fuzzer
//   .build-fuzz/debug/FuzzRuleExpression Fuzz/Corpus/RuleExpression
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// One executable per parser; its entry point is `LLVMFuzzerTestOneInput` in `Sources/NAME/NAME.swift`.
let targets: [(name: String, products: [String])] = [
    ("FuzzConfiguration", ["OAuthTopConfig"]),
    ("FuzzRuleFile", ["OAuthTopConfig"]),
    ("FuzzRuleExpression", ["Alerting"]),
    ("FuzzRuleTestFile", ["OAuthTopConfig"]),
    ("FuzzTheme", ["OAuthTopConfig"]),
    ("FuzzDashboardFile", ["OAuthTopConfig"]),
    ("FuzzFaultSchedule", ["OAuthTopConfig"]),
    ("FuzzTokenResponse", ["TokenManager"]),
    ("FuzzHTTPDate", ["Primitives"]),
    ("FuzzSocketRequest", ["OAuthTopRuntime", "Primitives"]),
    ("FuzzFileMode", ["Primitives"]),
    ("FuzzGitCredential", ["OAuthTopRuntime", "Primitives"]),
    ("FuzzPrometheusAPI", ["OAuthTopRuntime", "Telemetry"]),
    ("FuzzDashboardSnapshot", ["Dashboard"]),
    // NIOCore's ByteBuffer comes with RedisClient (its API is in ByteBuffers).
    ("FuzzRESP", ["RedisClient"]),
]

let package = Package(
    name: "oauthtop-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "oauthtop", path: "../")
    ],
    targets: targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: target.products.map { .product(name: $0, package: "oauthtop") },
            swiftSettings: swiftSettings
        )
    }
)
