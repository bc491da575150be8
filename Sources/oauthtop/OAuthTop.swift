import ArgumentParser
import Allocator

/// `oauthtop`: keeps OAuth tokens valid for long-running work and shows their health.
@main
struct OAuthTop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauthtop",
        abstract: "Keep OAuth tokens valid for long-running work, and show their health.",
        discussion: """
            oauthtop refreshes tokens ahead of expiry, survives an unreliable identity provider \
            (retries, endpoint failover, timeout ladder, Retry-After, circuit breaker, fallback \
            credentials), reports every step as events and Prometheus metrics, and evaluates alert \
            rules that notify Slack, Alertmanager, PagerDuty, webhooks or a command.

            Start with the demo, which runs an embedded identity provider with scheduled faults, on \
            the dashboard or as JSON events:
              oauthtop demo
              oauthtop demo --headless --duration 90s

            Then describe your own providers in oauthtop.yaml, watch them or run the daemon:
              oauthtop config check oauthtop.yaml
              oauthtop watch --config oauthtop.yaml
              oauthtop run --headless --config oauthtop.yaml

            Act on a running daemon over its token socket (docs/socket.md):
              oauthtop status
              oauthtop refresh github
              oauthtop token github | sed 's/^/Authorization: Bearer /' | curl -H @- https://api.github.com/user
            Run a long job with a token file kept valid for it (docs/exec-and-sinks.md):
              oauthtop exec --provider github -- python3 long_job.py

            Hand tokens to git and kubectl as a credential helper (docs/credential-helpers.md):
              git config credential.helper '!oauthtop credential git --provider github'

            Lint and unit-test alert rules (docs/alerting.md):
              oauthtop rules check rules/seed.rules.yaml
              oauthtop rules test my-rules.test.yaml
            """,
        version: "0.1.0 (malloc: \(Allocator.current))",
        subcommands: [
            DemoCommand.self, WatchCommand.self, RunCommand.self, ExecCommand.self, RefreshCommand.self,
            StatusCommand.self, TokenCommand.self, CredentialCommand.self, ConfigCommand.self, RulesCommand.self,
        ]
    )
}
