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
/// - `TokenFiles/`: token files kept valid for other programs (``TokenFileKeeper``), where their tokens
///   come from (``TokenSource``: the in-process manager or the daemon's socket), the daemon's
///   sinks (``TokenSinkService``), and the consumers of a process's tokens (``ConsumerRegistry``,
///   counted in `oauth_token_requests_total`);
/// - `Exec/`: `oauthtop exec` (``ExecTask``, ``ExecRuntime``): the command's token file, spawning,
///   signal forwarding and exit status;
/// - `Credentials/`: the credential helpers' formats: git's credential helper protocol
///   (``GitCredentialRequest``, ``GitCredentialReply``) and kubectl's ``ExecCredential``.
/// - `PrometheusAPI/`: Prometheus's HTTP API v1 both ways: its JSON (``PrometheusAPIDecoder``,
///   ``PrometheusAPIEncoder``), the client that answers panel queries from a Prometheus server or a
///   daemon's socket (``PrometheusQueryClient``), and the daemon's `/api/v1/...` answers from its own
///   evaluator (``PrometheusAPIEndpoint``).
///
/// It must not: parse command-line arguments (the executable does), parse files (OAuthTopConfig
/// does), hold token logic (TokenManager does), or print a secret (token files hold tokens; logs,
/// events and consumer records only their fingerprints).
public enum OAuthTopRuntimeModule {}
