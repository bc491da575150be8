// `Secret`, `WallClock` and `Duration`'s unit conversions live in Primitives and are part of this
// target's API (a provider's configuration holds `Secret`s, the manager takes a `WallClock`), so
// they are re-exported: a user of the manager imports one module, as Hummingbird re-exports
// HTTPTypes.
@_exported import Primitives

/// The TokenManager target keeps OAuth 2.0 access tokens valid for long-running work.
///
/// It owns: per-provider token sessions (hot-path `token(for:)`, advisory and mandatory refresh
/// windows with jitter, single-flight refresh), the refresh round (endpoint failover, timeout
/// ladder, RFC 6749 §5.2 error classes, backoff with full jitter, `Retry-After`), the circuit
/// breaker, clock-skew estimation, the token store, token files for other programs (``TokenFile``,
/// ``TokenDocument``, written atomically with their mode, owner and group), token events and the
/// `oauth_*` metrics,
/// recorded through the swift-metrics API and listed once, with their help texts, in
/// ``OAuthMetricNames``, and the seam through which a fleet of processes coordinates its refreshes
/// (``RefreshCoordinator``; the protocol itself lives in the Coordination target). Its folders follow
/// those concerns: `Session/` (the hot and slow paths), `Refresh/`, `Transport/`, `Store/`, `Fallback/`,
/// `Events/`, `Metrics/`, `Coordination/`.
///
/// It must not: know about terminals, rules or notifiers, import the Telemetry collector (it
/// records through swift-metrics only), read configuration files, or let a secret reach a log
/// line, an event or an error message (secrets appear only as ``Secret`` fingerprints).
///
/// The entry point is ``OAuthTokenManager``.
public enum TokenManagerModule {}

