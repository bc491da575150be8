import DemoIdentityProvider

/// The fault schedule `oauthtop demo` runs, shipped as commented YAML so it doubles as an example
/// of the format.
///
/// It is tuned for the demo's setup: the identity provider issues 20-second tokens to a manager
/// with advisory 30%, mandatory 10%, retry `max_attempts` 3 with `base_delay` 200ms, breaker
/// `failure_threshold` 2 with `cool_down` 8s, and two endpoints named `primary` and `secondary`.
/// Refreshes then happen roughly every 14 seconds, and within two minutes a user sees, in order:
/// successful refreshes, a retried 500, an honoured 429, a failover to `secondary`, and a breaker
/// that opens during a full outage (55s-100s) and closes when its next probe succeeds after it. During
/// that outage the fallback chain plays out (`DemoSetup`): the `reports` provider's token, then, once
/// `reports` is down too, emergency mode, then the emergency key once the demo approves it at 85s.
public enum DemoSchedule {
    /// The schedule's file name in messages.
    public static let fileName = "<demo schedule>"

    /// The default demo schedule, as a fault schedule file.
    public static let defaultYAML = """
        # oauthtop demo fault schedule.
        #
        # Times are measured from the demo identity provider's start. The demo's tokens live 20s and
        # are refreshed when 30% of their lifetime is left (about every 14s), so the faults below
        # are placed where refreshes will land. The first fault that matches a request decides
        # what that request gets; a request that matches none is answered normally.
        #
        # Every fault has a kind and may have:
        #   at:        when it starts applying (default 0s)
        #   until:     when it stops (exclusive; default never)
        #   count:     how many requests it applies to at most (default no limit)
        #   endpoints: which endpoints it applies to (default all of them)
        faults:
          # 0s-10s: the first token request is slow (1.5s): it outlasts the quick 1s timeout, so the
          # timeout ladder retries it with the standard 2s step (and latency has a value).
          - kind: slow
            delay: 1.5s
            until: 10s
            count: 1

          # ~14s: the first refresh meets two 500s on the primary endpoint; the manager backs off
          # and retries (max_attempts 3), and the third attempt succeeds.
          - kind: error
            status: 500
            at: 10s
            count: 2
            endpoints: [primary]

          # ~28s: the next refresh is rate limited. The manager waits the 3 seconds that
          # Retry-After asks for instead of hammering the endpoint, then succeeds...
          - kind: rate_limit
            status: 429
            retry_after: 3s
            retry_after_format: seconds
            at: 25s
            count: 1
            endpoints: [primary]

          # ...slowly: the retry after the 429 takes 1.5s, so the latency panel moves.
          - kind: slow
            delay: 1.5s
            at: 28s
            until: 38s
            count: 1
            endpoints: [primary]

          # 38s-52s: the primary endpoint is down (connections refused). The refresh at ~44s
          # fails over to the secondary endpoint, which answers, if a little slowly.
          - kind: outage
            at: 38s
            until: 52s
            endpoints: [primary]
          - kind: slow
            delay: 700ms
            at: 38s
            until: 55s
            count: 2
            endpoints: [secondary]

          # 55s-100s: both endpoints are down. Two failed refresh rounds open the breaker
          # (failure_threshold 2); each probe after the 8s cool-down fails until the outage ends,
          # and the first probe after 100s succeeds and closes the breaker again. Meanwhile the
          # token expires (~64s) and the fallback chain takes over: the `reports` provider's token
          # until `reports` is down too (~75s), then nothing (emergency mode) until the demo
          # approves the emergency key (85s), then that key until OAuth is back.
          - kind: outage
            at: 55s
            until: 100s
        """

    /// The default demo schedule, parsed from `defaultYAML`.
    ///
    /// - Throws: `ConfigError` if the shipped text has an error (a test guards against it).
    public static func `default`() throws(ConfigError) -> FaultSchedule {
        try FaultScheduleFile.parse(yaml: self.defaultYAML, file: self.fileName).get()
    }
}
