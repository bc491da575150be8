import Logging
import Primitives

/// How a refused token is reported, wherever it came from: counted in
/// `oauth_refresh_failures_total{reason="invalid_token", check}`, a `token_rejected` event and a log line,
/// each naming the token by fingerprint only.
enum TokenRejection {
    /// The `reason` label of refused tokens.
    static let reason = "invalid_token"

    /// Where the refused token came from (the event's `source`).
    enum Source: String {
        case refresh, store, fleet
    }

    static func report(
        _ failure: TokenValidationFailure,
        token: Secret,
        source: Source,
        endpoint: String?,
        provider: String,
        at now: Int64,
        metrics: ProviderMetrics,
        events: TokenEventBus,
        logger: Logger
    ) {
        metrics.invalidToken(check: failure.check.rawValue)
        var fields: [(key: String, value: TokenEvent.Value)] = [
            ("source", .string(source.rawValue)), ("check", .string(failure.check.rawValue)),
            ("detail", .string(failure.detail)), ("token_sha256", .string(token.fingerprint)),
        ]
        if let endpoint { fields.append(("endpoint", .string(endpoint))) }
        events.emit(TokenEvent(kind: .tokenRejected, timestamp: now, provider: provider, severity: .warning, fields: fields))
        logger.info(
            "token refused by validation; discarded",
            metadata: [
                "provider": "\(provider)", "source": "\(source.rawValue)", "check": "\(failure.check)",
                "detail": "\(failure.detail)", "token": "\(token.fingerprint)",
            ]
        )
    }
}
