/// Alerting: oauthtop's rule language and alert states.
///
/// This target owns:
/// - the rule expression language, a subset of PromQL with Prometheus 3 semantics: its lexer, parser
///   (errors with line, column and the expected token) and evaluator over any ``SeriesSource`` (the
///   Telemetry collector at run time, an in-memory store in `oauthtop rules test`);
/// - alerting rules and their states (inactive, pending, firing, resolved with `for` and
///   `keep_firing_for`), annotation templates, and the `ALERTS` series;
/// - the model of rule unit-test files (promtool's format) and the runner that checks them.
///
/// It must not:
/// - read files or parse YAML (OAuthTopConfig turns rule files into ``AlertingRule`` values);
/// - send notifications or do any I/O (the Notifiers target delivers what the runtime hands it);
/// - know about tokens or providers: rules are expressions over named series.
enum Alerting {}
