/// The default rule file: the seed's four alert rules, the emergency rule and the proxy's quota rule, the same
/// text as `rules/seed.rules.yaml` (a test checks they are equal).
public enum DefaultRules {
    /// The file name diagnostics use for the embedded rules.
    public static let fileName = "<built-in seed rules>"

    /// The seed's rules in the seed's format, the built-in emergency rule and the proxy's quota rule.
    public static let seedYAML = """
# The seed's four alert rules, as the design document writes them, oauthtop's emergency rule and its API
# proxy's quota rule. oauthtop evaluates these when the configuration names no rule files
# (`alerting.rule_files`). `condition:` is a rule expression (PromQL); metric names may be written as here,
# without `_total` or the `oauth_` prefix, and the breaker's state by name. `action:` names a route of
# notifiers in the configuration (docs/alerting.md).
alerts:
  - name: oauth_refresh_failure_rate
    condition: rate(oauth_refresh_failures[5m]) > 0.1
    severity: warning
    action: notify_slack

  - name: oauth_circuit_breaker_open
    condition: oauth_circuit_breaker_state == "open"
    severity: critical
    action: page_oncall

  - name: fallback_auth_usage
    condition: rate(fallback_auth_used[1h]) > 0
    severity: warning
    action: notify_team

  - name: token_expiry_during_execution
    condition: rate(token_expired_during_task[1h]) > 0.05
    severity: warning
    action: investigate_long_running_tasks

  # Built in: no method gives a provider a token (OAuth and every fallback entry failed). Evaluated also
  # beside rule files that do not define an alert of this name; define one to route it your way.
  - name: oauth_emergency_mode
    condition: oauth_emergency_mode == 1
    severity: critical
    action: page_oncall
    annotations:
      summary: "{{ $labels.provider }}: emergency mode, no method gives a token"

  # The API proxy (docs/proxy.md): an upstream's quota is nearly used up. Above 90% (the proxies' default
  # cache_above) idempotent requests are answered from the cache; above 95% (shed_above) requests not
  # marked critical are refused. Per proxy and limit.
  - name: oauth_proxy_quota_high
    condition: max by (proxy, limit) (oauth_proxy_quota_used_ratio) > 0.9
    for: 1m
    severity: warning
    action: notify_team
    annotations:
      summary: "{{ $labels.proxy }}: {{ $value | humanizePercentage }} of the {{ $labels.limit }} quota used"
      description: >-
        Proxy {{ $labels.proxy }} has used more than 90% of its upstream's {{ $labels.limit }} quota for a
        minute ({{ $value | humanizePercentage }} now): it answers idempotent requests from its cache, and
        from 95% refuses requests not marked critical until the quota resets.

"""

    /// The file name diagnostics use for the demo's rules.
    public static let demoFileName = "<built-in demo rules>"

    /// The seed's rules at the demo's time scale (the same text as `rules/demo.rules.yaml`).
    public static let demoYAML = """
# The seed's four rules, the emergency rule and the proxy's quota rule at the demo's time scale. The demo's
# tokens live 20 s instead of an hour and its faults come within 90 s, so the windows are seconds long; the
# demo evaluates rules every second.
# `oauthtop demo --rules FILE` evaluates your rule files instead.
alerts:
  - name: oauth_refresh_failure_rate
    condition: rate(oauth_refresh_failures[30s]) > 0.1
    severity: warning
    action: notify_slack
    annotations:
      summary: "{{ $labels.provider }}: {{ $value | humanize }} refresh failures/s"

  - name: oauth_circuit_breaker_open
    condition: oauth_circuit_breaker_state == "open"
    severity: critical
    action: page_oncall
    annotations:
      summary: "{{ $labels.provider }}: circuit breaker open, refreshes are not attempted"

  - name: fallback_auth_usage
    condition: rate(fallback_auth_used[5s]) > 0
    severity: warning
    action: notify_team
    annotations:
      summary: "{{ $labels.provider }}: fallback credential in use ({{ $labels.method }})"

  - name: token_expiry_during_execution
    condition: rate(token_expired_during_task[30s]) > 0.05
    severity: warning
    action: investigate_long_running_tasks
    annotations:
      summary: "{{ $labels.provider }}: tokens expire under running tasks"

  - name: oauth_emergency_mode
    condition: oauth_emergency_mode == 1
    severity: critical
    action: page_oncall
    annotations:
      summary: "{{ $labels.provider }}: emergency mode, no method gives a token"

  - name: oauth_proxy_quota_high
    condition: max by (proxy, limit) (oauth_proxy_quota_used_ratio) > 0.9
    for: 5s
    severity: warning
    action: notify_team
    annotations:
      summary: "{{ $labels.proxy }}: {{ $value | humanizePercentage }} of the {{ $labels.limit }} quota used"
      description: >-
        Proxy {{ $labels.proxy }} has used more than 90% of its upstream's {{ $labels.limit }} quota for 5
        seconds ({{ $value | humanizePercentage }} now): it answers idempotent requests from its cache, and
        from 95% refuses requests not marked critical until the quota resets.

"""

    /// The name of the built-in emergency alert (``emergencyYAML``).
    public static let emergencyAlertName = "oauth_emergency_mode"

    /// The file name diagnostics use for the built-in emergency rule.
    public static let emergencyFileName = "<built-in emergency rule>"

    /// The built-in emergency alert, evaluated beside rule files that define no alert of its name: no method
    /// gives a provider a token. The runtime adds each method's error to its notifications (annotations
    /// `tried` and `description`).
    public static let emergencyYAML = """
alerts:
  - name: oauth_emergency_mode
    condition: oauth_emergency_mode == 1
    severity: critical
    action: page_oncall
    annotations:
      summary: "{{ $labels.provider }}: emergency mode, no method gives a token"

"""
}
