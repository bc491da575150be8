/// OAuthTopConfig: the edge where oauthtop's user files become typed values.
///
/// Owns, in folders by concern:
/// - `YAML/`: reading YAML with source positions, and diagnostics as `FILE:LINE:COLUMN: error: message`,
///   so a user can fix a whole file in one pass;
/// - `Configuration/`: `oauthtop.yaml` (providers, policies, the fallback chain, alerting and
///   notifiers), finding it (``ConfigLocator``), and reading the secrets it names from the environment
///   or from files;
/// - `Rules/`: alert rule files (seed and Prometheus formats), rule unit-test files (promtool's
///   format), and the default rules;
/// - `Themes/`, `Faults/`: dashboard themes and the demo's fault schedules.
///
/// Everything is parsed once, into the typed values of the lower layers (`ProviderConfiguration`,
/// `RuleGroup`, `Theme`, `FaultSchedule`, ...).
///
/// It must not perform I/O beyond reading the files it is asked to read (the configuration, the
/// files and secret files it names), start services or open sockets, or hold secrets longer than
/// it takes to build the values. Secret values never appear in a diagnostic.
enum OAuthTopConfigModule {}
