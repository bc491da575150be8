import Alerting
import OAuthTopConfig
import Testing

/// oauthtop's alias table, which the runtime and `oauthtop rules check/test` hand the rule engine: the seed's
/// spellings read oauthtop's series.
@Suite("oauthtop's metric aliases: the seed's spellings")
struct MetricAliasesTests {
    static func store(_ series: [(Labels, [Double])]) -> InMemorySeriesStore {
        let store = InMemorySeriesStore()
        for (labels, values) in series {
            for (index, value) in values.enumerated() {
                store.append(labels, timestamp: Int64(index) * 15_000, value: value)
            }
        }
        return store
    }

    static func evaluate(_ text: String, _ store: InMemorySeriesStore, at time: Int64) throws -> QueryValue {
        try Evaluator(source: store, aliases: .oauthTop).evaluate(
            RuleExpression.parse(text, aliases: .oauthTop), at: time)
    }

    @Test("seed spellings: no _total, no oauth_ prefix, breaker state names")
    func seedSpellings() throws {
        let store = Self.store([
            (
                Labels(["__name__": "oauth_fallback_auth_used_total", "method": "emergency_key"]),
                (0...20).map(Double.init)
            ),
            (
                Labels(["__name__": "oauth_circuit_breaker_state", "provider": "github"]),
                Array(repeating: 2, count: 21)
            ),
        ])
        let rate = try Self.evaluate("rate(fallback_auth_used[1m]) > 0", store, at: 300_000)
        #expect(rate.elements.count == 1)
        let open = try Self.evaluate("oauth_circuit_breaker_state == \"open\"", store, at: 300_000)
        #expect(open.elements.map(\.value) == [2])
        let closed = try Self.evaluate("oauth_circuit_breaker_state == \"closed\"", store, at: 300_000)
        #expect(closed.elements.isEmpty)
        let unprefixed = try Self.evaluate("circuit_breaker_state == \"half-open\"", store, at: 300_000)
        #expect(unprefixed.elements.isEmpty)
        // Without the table, the same expressions are plain Prometheus: no series of that name.
        let plain = try Evaluator(source: store).evaluate(
            RuleExpression.parse("rate(fallback_auth_used[1m])"), at: 300_000)
        #expect(plain.elements.isEmpty)
    }

    @Test("the order of spellings: the name itself, then _total, oauth_, oauth_..._total")
    func order() {
        #expect(
            MetricAliases.oauthTop.alternatives(for: "refresh_failures")
                == ["refresh_failures_total", "oauth_refresh_failures", "oauth_refresh_failures_total"])
        #expect(MetricAliases.oauthTop.alternatives(for: "oauth_refresh_failures_total").isEmpty)
        #expect(MetricAliases.oauthTop.alternatives(for: "oauth_x") == ["oauth_x_total"])
        #expect(MetricAliases.oauthTop.alternatives(for: "x_total") == ["oauth_x_total"])
    }

    @Test("an unknown breaker state names the line, column and the states")
    func unknownState() {
        #expect {
            _ = try RuleExpression.parse("oauth_circuit_breaker_state == \"opened\"", aliases: .oauthTop)
        } throws: { error in
            guard let error = error as? ExpressionError else { return false }
            return error.line == 1 && error.column == 29 && error.expected == "closed, half-open, half_open, open"
        }
    }

    @Test("rule files are parsed with the table: the seed's condition loads, plain Prometheus rejects it")
    func ruleFiles() throws {
        let yaml = """
            alerts:
              - name: open
                condition: oauth_circuit_breaker_state == "open"
            """
        #expect(RuleFileParser.parse(yaml: yaml, file: "r.yaml").value != nil)
        #expect(RuleFileParser.parse(yaml: yaml, file: "r.yaml", aliases: .none).value == nil)
    }
}
