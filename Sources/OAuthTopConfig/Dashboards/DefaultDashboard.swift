/// The default dashboard file: the seed's six panels and the API calls panel as queries, the same text as
/// `dashboards/default.dashboard.yaml` (a test checks they are equal), built in so that the dashboard works
/// from any directory.
public enum DefaultDashboard {
    /// The file name diagnostics use for the embedded dashboard.
    public static let fileName = "<built-in dashboard>"

    /// The default dashboard file's text.
    public static let yaml = """
# The seed's dashboard: its six panels and the API calls through oauthtop's proxies, each a set of PromQL
# queries (docs/dashboards.md). oauthtop draws this when the configuration names no dashboard file
# (`dashboard:`). Queries use the canonical metric names and Grafana's variables ($__interval: one graph
# column; $__rate_interval; $__range: the panel's range), so the same text works against a Prometheus
# server. A graph's points are `expr` at each step; the headline is `instant` (by default `expr` with
# $__interval read as $__range) at the end of the range. The success rate relies on the manager creating
# each endpoint's `outcome="success"` counter at 0; the failures by reason appear on first failure, so a
# missing one is read as 0 (`or 0 * ...`): a provider whose every round fails shows 0%, one that never
# failed 100%. The API panel reads the proxies' metrics (oauth_proxy_*) by their legends; without a proxy
# it says "no API calls yet".
dashboards:
  - oauth_health:
      panels:
        - token_refresh_success_rate:
            title: Token refresh success rate
            short_title: Refresh success
            draw: ratio
            unit: percent
            queries:
              - legend: all
                expr: >-
                  sum(increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))
                  / (sum(increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))
                  + (sum(increase(oauth_refresh_failures_total[$__interval]))
                  or 0 * sum(increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))))
              - legend: "{{provider}}"
                expr: >-
                  sum by (provider) (increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))
                  / (sum by (provider) (increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))
                  + (sum by (provider) (increase(oauth_refresh_failures_total[$__interval]))
                  or 0 * sum by (provider)
                  (increase(oauth_refresh_attempts_total{outcome="success"}[$__interval]))))
        - average_token_lifetime:
            title: Token lifetime
            draw: lifetime
            unit: seconds
            queries:
              - legend: average
                expr: avg(oauth_token_lifetime_seconds)
              - legend: "{{provider}}"
                expr: max by (provider) (oauth_token_expires_in_seconds)
        - refresh_latency_p99:
            title: Refresh latency p99
            short_title: Latency p99
            draw: quantiles
            unit: seconds
            queries:
              - legend: p99
                expr: >-
                  histogram_quantile(0.99, sum by (le)
                  (rate(oauth_refresh_duration_seconds_bucket[$__interval])))
              - legend: p50
                expr: >-
                  histogram_quantile(0.5, sum by (le)
                  (rate(oauth_refresh_duration_seconds_bucket[$__interval])))
        - fallback_usage_trend:
            title: Fallback usage
            draw: count
            unit: uses
            queries:
              - legend: all
                expr: sum(increase(oauth_fallback_auth_used_total[$__interval]))
              - legend: "{{method}}"
                expr: sum by (method) (increase(oauth_fallback_auth_used_total[$__interval]))
        - circuit_breaker_state:
            title: Circuit breaker
            draw: breaker
            unit: none
            queries:
              - legend: "{{provider}}"
                expr: max by (provider) (oauth_circuit_breaker_state)
        - concurrent_refresh_conflicts:
            title: Refresh conflicts
            short_title: Conflicts
            draw: rate
            unit: races
            queries:
              - legend: all
                expr: sum(rate(oauth_refresh_conflicts_total[$__interval]))
                instant: sum(increase(oauth_refresh_conflicts_total[$__range]))
              - legend: "{{provider}}"
                expr: sum by (provider) (increase(oauth_refresh_conflicts_total[$__interval]))
        - api_calls:
            title: API calls through the proxies
            short_title: API calls
            draw: api
            unit: per_second
            queries:
              - legend: requests
                expr: sum(rate(oauth_proxy_requests_total[$__rate_interval]))
              - legend: errors
                expr: >-
                  (sum(rate(oauth_proxy_requests_total{class=~"4xx|5xx"}[$__rate_interval]))
                  or 0 * sum(rate(oauth_proxy_requests_total[$__rate_interval])))
                  / sum(rate(oauth_proxy_requests_total[$__rate_interval]))
              - legend: replays
                expr: sum(increase(oauth_proxy_auth_replays_total{outcome=~"replayed|failed_again"}[$__interval]))
              - legend: quota
                expr: max(oauth_proxy_quota_used_ratio)
              - legend: shed
                expr: sum(increase(oauth_proxy_shed_total[$__interval]))

"""
}
