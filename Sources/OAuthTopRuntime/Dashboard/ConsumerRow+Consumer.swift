import Dashboard

extension ConsumerRow {
    /// The dashboard's row for a consumer of this process's tokens (never the token: its fingerprint).
    public init(_ consumer: Consumer) {
        self.init(
            kind: Kind(rawValue: consumer.kind.rawValue),
            provider: consumer.provider,
            name: consumer.name,
            pid: consumer.pid,
            since: consumer.since,
            lastAt: consumer.lastAt,
            lastOutcome: consumer.lastOutcome,
            lastError: consumer.lastError,
            tokenFingerprint: consumer.tokenFingerprint,
            requests: consumer.requests
        )
    }
}
