/// The OAuthTopRuntime target wires the layers into running programs.
///
/// It owns, in folders by concern:
/// - `Daemon/`: the manager and its collector built one way for every command (``ManagerAssembly``,
///   ``ConfiguredManager``), and the runtime (services in one `ServiceGroup`, signals, the JSON-lines
///   event stream on stdout, the `/metrics` listener, the sampler);
/// - `Alerting/`: the rule evaluation service, its alert events, the alert state kept across restarts,
///   and the notifiers' set-up;
/// - `Events/`: the events of a run (token and alert events), their log and their JSON encoding;
/// - `Dashboard/`: the dashboard service and what it draws from: snapshots built from the live state,
///   and the panels' PromQL range queries answered by a ``PanelQuerySource``;
/// - `Demo/`: the demo's set-up (the embedded identity provider, the demo provider's settings, the
///   simulated long-running tasks) and ``DemoRun``;
/// - `Logging/`: where a command's log lines go (``LoggingSetup``);
/// - `TokenSocket/`: the daemon's local token socket: the server (``TokenSocketServer``, a `Service`
///   over a Unix socket with `SO_PEERCRED` checks and an optional loopback TCP listener behind a bearer
///   secret), what it answers (``TokenSocketHandler``), the JSON shapes (`Messages/`), and the client
///   the `token`, `status` and `refresh` commands use (``TokenSocketClient``);
/// - `Credentials/`: the credential helpers' formats: git's credential helper protocol
///   (``GitCredentialRequest``, ``GitCredentialReply``) and kubectl's ``ExecCredential``.
///
/// It must not: parse command-line arguments (the executable does), parse files (OAuthTopConfig
/// does), hold token logic (TokenManager does), or print a secret.
public enum OAuthTopRuntimeModule {}
