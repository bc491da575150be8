/// The OAuthTopRuntime target wires the layers into running programs.
///
/// It owns: the headless runtime (services in one `ServiceGroup`, signals, the JSON-lines event
/// stream on stdout, the `/metrics` listener, the sampler), the demo's set-up (the embedded
/// identity provider, the demo provider's settings, the simulated long-running tasks) and the
/// encoding of events as JSON.
///
/// It must not: parse command-line arguments (the executable does), parse files (OAuthTopConfig
/// does), hold token logic (TokenManager does), or print a secret.
public enum OAuthTopRuntimeModule {}
