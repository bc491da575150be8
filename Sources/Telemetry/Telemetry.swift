/// Telemetry: the in-process metrics collector of oauthtop.
///
/// This target owns:
/// - ``TelemetryCollector``, a swift-metrics backend (`MetricsFactory`) that keeps counters, gauges and
///   histograms (with `le` buckets and an HDR histogram per series for exact quantiles);
/// - the bounded time series of every metric (a ring buffer per series, filled by
///   ``TelemetryCollector/sample(at:)`` and by ``TelemetrySamplerService``) and the query API that the rule
///   evaluator and the dashboard read (``TelemetryCollector/series(named:matching:in:)``, ``SeriesSnapshot``);
/// - the Prometheus text exposition (format 0.0.4) and the `/metrics` HTTP listener (``MetricsServer``,
///   ``makeMetricsRouter(collector:)``, ``ListenAddress``).
///
/// It must not:
/// - know anything about OAuth logic (tokens, providers, refresh policy) or oauthtop's family names: it
///   stores whatever is recorded through the swift-metrics API, and the layers that emit families hand it
///   their help texts (``TelemetryCollector/describe(_:)``);
/// - evaluate alert rules (the Alerting layer does, on top of the query API) or draw anything (no ncurses);
/// - call `MetricsSystem.bootstrap`: the executable decides whether to bootstrap, tests inject the factory.
enum Telemetry {}
