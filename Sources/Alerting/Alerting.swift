/// Alerting: a rule language with Prometheus 3 semantics, and alert states.
///
/// This target owns:
/// - the rule expression language, a subset of PromQL with Prometheus 3 semantics: its lexer, parser
///   (errors with line, column and the expected token) and evaluator over any ``SeriesSource`` (the
///   Telemetry collector at run time, an in-memory store in rule unit tests);
/// - alerting rules and their states (inactive, pending, firing, resolved with `for` and
///   `keep_firing_for`), annotation templates, and the `ALERTS` series;
/// - the model of rule unit-test files (promtool's format) and the runner that checks them.
///
/// It must not:
/// - read files or parse YAML (the caller turns rule files into ``AlertingRule`` values);
/// - send notifications or do any I/O (the Notifiers target delivers what the runtime hands it);
/// - know about tokens or providers: rules are expressions over named series;
/// - know any application's metric names: other spellings of names and the names of state values come in as
///   a ``MetricAliases`` table from the caller (the default is none: plain Prometheus).
enum Alerting {}
