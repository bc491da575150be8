import CoreMetrics
import Synchronization

/// `oauth_token_requests_total{provider, consumer, outcome}`: every request a token consumer made.
///
/// Label values are bounded: `provider` is a configured provider's name or `none` (a request that
/// names no known provider, or none at all), `outcome` one of a fixed set of short codes (`success`,
/// `refresh_failed`, `unknown_provider`, `forbidden`, `unauthorized`, the 4xx codes of
/// ``SocketRequestError``). Counters are created once per pair and reused.
public final class TokenRequestMetrics: Sendable {
    /// The family's name.
    public static let name = OAuthTopMetricNames.tokenRequests
    /// The `provider` value of requests about no known provider.
    public static let noProvider = "none"

    private let consumer: String
    private let knownProviders: Set<String>
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    /// The `success` counter of each configured provider, read without a lock (the token hot path).
    private let successCounters: [String: Counter]

    /// - Parameters:
    ///   - consumer: The `consumer` label, e.g. `socket`.
    ///   - providers: The configured providers' names; the `success` counter of each starts at 0.
    ///   - factory: Where the counters go (the runtime's collector).
    public init(consumer: String, providers: [String], factory: any MetricsFactory) {
        self.consumer = consumer
        self.knownProviders = Set(providers)
        self.factory = factory
        self.successCounters = Dictionary(
            providers.map { provider in
                let counter = Counter(
                    label: Self.name, dimensions: [("provider", provider), ("consumer", consumer), ("outcome", "success")],
                    factory: factory
                )
                return (provider, counter)
            },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Counts one request.
    public func record(provider: String?, outcome: String) {
        if outcome == "success", let provider, let counter = self.successCounters[provider] {
            counter.increment()
            return
        }
        let label = provider.flatMap { self.knownProviders.contains($0) ? $0 : nil } ?? Self.noProvider
        self.counter(provider: label, outcome: outcome).increment()
    }

    private func counter(provider: String, outcome: String) -> Counter {
        self.counters.withLock { counters in
            let key = provider + "\u{0}" + outcome
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: Self.name,
                dimensions: [("provider", provider), ("consumer", self.consumer), ("outcome", outcome)],
                factory: self.factory
            )
            counters[key] = counter
            return counter
        }
    }
}
