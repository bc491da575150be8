import Telemetry
import Testing
@testable import TokenManager

@Suite("Token validation: the invalid_token failures in the collector and the exposition")
struct InvalidTokenMetricTests {
    @Test("the check label exists on invalid_token series only; one family, one TYPE line, sums by reason")
    func labelOnSomeSeries() {
        let collector = TelemetryCollector()
        let metrics = ProviderMetrics(provider: "idp", factory: collector)
        metrics.failure(reason: "timeout")
        metrics.invalidToken(check: "expired")
        metrics.invalidToken(check: "expired")
        metrics.invalidToken(check: "signature")

        let name = OAuthMetricNames.refreshFailures
        #expect(collector.currentValue(name: name, labels: ["provider": "idp", "reason": "timeout"]) == 1)
        #expect(
            collector.currentValue(name: name, labels: ["provider": "idp", "reason": "invalid_token", "check": "expired"])
                == 2
        )
        #expect(collector.series(named: name).count == 3)
        let text = collector.exposition()
        #expect(text.components(separatedBy: "# TYPE \(name) counter").count == 2, "one TYPE line for the family")
        #expect(text.contains(#"\#(name){provider="idp",reason="timeout"} 1"#))
        #expect(text.contains(#"\#(name){check="expired",provider="idp",reason="invalid_token"} 2"#)
            || text.contains(#"\#(name){provider="idp",reason="invalid_token",check="expired"} 2"#))
    }
}
