import CoreMetrics
import Synchronization

/// `oauth_token_requests_total{provider, consumer, outcome}`: every token handed to a consumer
/// outside the manager (a sink write, an exec'd task's file, a socket request), by outcome.
///
/// Counters are made once per label set; those a consumer will use are created at 0 when it
/// starts (``prepare(provider:consumer:)``), so a first increase is visible to `rate`.
public final class TokenRequestCounter: Sendable {
    /// The outcomes every consumer starts with at 0.
    public static let knownOutcomes: [TokenFileWrite.Outcome] = [.success, .tokenUnavailable, .writeFailed]

    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])

    public init(factory: any MetricsFactory) { self.factory = factory }

    /// Creates the counters of `provider` and `consumer` for the known outcomes, at 0.
    public func prepare(provider: String, consumer: Consumer.Kind) {
        for outcome in Self.knownOutcomes {
            _ = self.counter(provider: provider, consumer: consumer, outcome: outcome.rawValue)
        }
    }

    /// Counts one hand-out.
    public func increment(provider: String, consumer: Consumer.Kind, outcome: String) {
        self.counter(provider: provider, consumer: consumer, outcome: outcome).increment()
    }

    private func counter(provider: String, consumer: Consumer.Kind, outcome: String) -> Counter {
        let key = "\(provider)\u{0}\(consumer.rawValue)\u{0}\(outcome)"
        return self.counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: OAuthTopMetricNames.tokenRequests,
                dimensions: [("provider", provider), ("consumer", consumer.rawValue), ("outcome", outcome)],
                factory: self.factory
            )
            counters[key] = counter
            return counter
        }
    }
}
