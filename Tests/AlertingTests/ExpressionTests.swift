import Alerting
import Telemetry
import Testing

@Suite("Rule expressions: parsing and evaluation")
struct ExpressionTests {
    /// A counter sampled every 15 s from 0 s, rising by `step` per sample.
    static func store(_ series: [(String, [Double])], interval: Int64 = 15_000) -> InMemorySeriesStore {
        let store = InMemorySeriesStore()
        for (text, values) in series {
            let labels = Self.labels(text)
            for (index, value) in values.enumerated() {
                store.append(labels, timestamp: Int64(index) * interval, value: value)
            }
        }
        return store
    }

    static func labels(_ text: String) -> Labels {
        // name{a="b",c="d"}
        let parts = text.split(separator: "{", maxSplits: 1)
        var pairs = [LabelPair(name: "__name__", value: String(parts[0]))]
        if parts.count > 1 {
            for item in parts[1].dropLast().split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1)
                pairs.append(LabelPair(name: String(kv[0]), value: String(kv[1].dropFirst().dropLast())))
            }
        }
        return Labels(pairs)
    }

    static func evaluate(_ text: String, _ store: InMemorySeriesStore, at time: Int64) throws -> QueryValue {
        try Evaluator(source: store).evaluate(RuleExpression.parse(text), at: time)
    }

    @Test("rate over a regular counter is its slope")
    func rateOfRegularCounter() throws {
        let store = Self.store([("requests_total{job=\"a\"}", (0...40).map { Double($0) * 15 })])
        let result = try Self.evaluate("rate(requests_total[5m])", store, at: 600_000)
        // Samples 315 s...600 s in (300 s, 600 s], extrapolated by 15 s to the start: 285 × (300 / 285) / 300,
        // which rounds as Prometheus's float arithmetic does.
        #expect(result.elements.map(\.labels) == [Labels(["job": "a"])])
        #expect(abs(result.elements[0].value - 1) < 1e-12)
    }

    @Test("increase adds back a counter reset")
    func increaseAcrossReset() throws {
        // 0,10,20,30 then reset to 5,15: raw increase 30 + 15 - 0 ... = 45 over 75 s sampled.
        let store = Self.store([("c_total", [0, 10, 20, 30, 5, 15])])
        let result = try Self.evaluate("increase(c_total[90s])", store, at: 75_000)
        // Samples at 0..75 s, window (-15 s, 75 s]: first sample at 0 is 15 s from the start, which is within
        // 1.1 × the 15 s average, so extrapolate to the start; but a counter stops at zero (first value 0).
        #expect(result.elements.map(\.value) == [45])
    }

    @Test("plain Prometheus by default: a name reads only its own series, a string is no comparison operand")
    func noAliasesByDefault() throws {
        let store = Self.store([("requests_total{job=\"a\"}", (0...20).map(Double.init))])
        #expect(try Self.evaluate("rate(requests[1m])", store, at: 300_000).elements.isEmpty)
        #expect(throws: ExpressionError.self) { try RuleExpression.parse(#"door_state == "open""#) }
    }

    @Test("an alias table: names tried in order after the name itself, affixes after them, state names")
    func aliasTable() throws {
        let aliases = MetricAliases(
            names: ["door": ["building_door_state", "requests_total"]],
            affixes: [.init(suffix: "_total"), .init(prefix: "app_", suffix: "_total")],
            stateNames: ["building_door_state": ["closed": 0, "open": 1]]
        )
        let expected = ["building_door_state", "requests_total", "door_total", "app_door_total"]
        #expect(aliases.alternatives(for: "door") == expected)
        #expect(aliases.alternatives(for: "app_x_total").isEmpty)
        #expect(aliases.alternatives(for: "x_total") == [])
        #expect(aliases.alternatives(for: "app_x") == ["app_x_total"])
        let store = Self.store([
            ("requests_total{job=\"a\"}", (0...20).map(Double.init)),
            ("app_hits_total{job=\"a\"}", (0...20).map(Double.init)),
            ("building_door_state{door=\"front\"}", Array(repeating: 1, count: 21)),
        ])
        let evaluator = Evaluator(source: store, aliases: aliases)
        func evaluate(_ text: String) throws -> QueryValue {
            try evaluator.evaluate(RuleExpression.parse(text, aliases: aliases), at: 300_000)
        }
        #expect(try evaluate("rate(requests[1m])").elements.count == 1)
        #expect(try evaluate("rate(hits[1m])").elements.count == 1)
        // `door` resolves to its first alternative that has series.
        let door = try evaluate("door").elements.map(\.labels)
        #expect(door == [Labels(["__name__": "building_door_state", "door": "front"])])
        #expect(try evaluate(#"door == "open""#).elements.map(\.value) == [1])
        #expect(try evaluate(#""closed" == building_door_state"#).elements.isEmpty)
        #expect {
            _ = try RuleExpression.parse(#"door == "ajar""#, aliases: aliases)
        } throws: { error in
            (error as? ExpressionError)?.expected == "closed, open"
        }
    }

    @Test(
        "parse errors name line, column and what was expected",
        arguments: [
            ("rate(x[5m]", 1, 11, "')'"),
            ("rate(x) > 1", 1, 6, "range vector"),
            ("sum by (a (x)", 1, 11, "',' or ')'"),
            ("x{a=\"b\"", 1, 8, "',' or '}'"),
            ("1 > 2", 1, 3, nil),
            ("x[5m] > 1", 1, 7, nil),
            ("up +\n  (", 2, 4, "an expression"),
        ] as [(String, Int, Int, String?)]
    )
    func parseErrors(_ text: String, line: Int, column: Int, expected: String?) {
        #expect {
            _ = try RuleExpression.parse(text)
        } throws: { error in
            guard let error = error as? ExpressionError else { return false }
            return error.line == line && error.column == column && (expected == nil || error.expected == expected)
        }
    }

    @Test("precedence: unary minus, power, and/or")
    func precedence() throws {
        let store = InMemorySeriesStore()
        #expect(try Self.evaluate("-2 ^ 2", store, at: 0) == .scalar(-4))
        #expect(try Self.evaluate("2 ^ 3 ^ 2", store, at: 0) == .scalar(512))
        #expect(try Self.evaluate("1 + 2 * 3 > bool 6", store, at: 0) == .scalar(1))
    }

    @Test("label_replace expands $1, ${1}, $name and $$ as Go does; label_join joins; both keep the name")
    func labelFunctions() throws {
        let store = Self.store([("up{job=\"api-eu\",instance=\"a:9\"}", [1])])
        let replaced = try Self.evaluate(
            #"label_replace(up, "region", "${2}/$1$$x$9", "job", "(?<svc>[a-z]+)-(.*)")"#,
            store,
            at: 0
        )
        #expect(replaced.elements.first?.labels["region"] == "eu/api$x")
        #expect(replaced.elements.first?.labels.metricName == "up")
        let named = try Self.evaluate(#"label_replace(up, "svc", "$svc", "job", "(?<svc>[a-z]+)-.*")"#, store, at: 0)
        #expect(named.elements.first?.labels["svc"] == "api")
        let unmatched = try Self.evaluate(#"label_replace(up, "x", "y", "job", "nomatch")"#, store, at: 0)
        #expect(unmatched.elements.first?.labels["x"] == "")
        let joined = try Self.evaluate(#"label_join(up, "both", "|", "job", "instance", "missing")"#, store, at: 0)
        #expect(joined.elements.first?.labels["both"] == "api-eu|a:9|")
    }

    @Test(
        "label functions check their label names and regex when parsed",
        arguments: [
            #"label_replace(up, "1bad", "x", "job", ".*")"#,
            #"label_replace(up, "ok", "x", "job", "(")"#,
            #"label_join(up, "ok", ",", "a-b")"#,
            #"label_join(up, "ok")"#,
        ]
    )
    func labelFunctionErrors(_ text: String) {
        #expect(throws: ExpressionError.self) { try RuleExpression.parse(text) }
    }

    @Test("subqueries: steps aligned to absolute time, the default step, offset")
    func subqueries() throws {
        // g rises by 1 every 15 s from 0 s.
        let store = Self.store([("g", (0...40).map(Double.init))])
        let evaluator = Evaluator(source: store, defaultSubqueryStep: 15_000)
        func value(_ text: String, at time: Int64) throws -> Double? {
            try evaluator.evaluate(RuleExpression.parse(text), at: time).elements.first?.value
        }
        // (187 s, 247 s] at 20 s steps: 200, 220, 240 s.
        #expect(try value("count_over_time(g[1m:20s])", at: 247_000) == 3)
        #expect(try value("min_over_time(g[1m:20s])", at: 247_000) == 13)
        // The default step is the evaluation interval: 180...240 s after (180 s excluded).
        #expect(try value("count_over_time(g[1m:])", at: 240_000) == 4)
        #expect(try value("last_over_time(g[30s:] offset 30s)", at: 247_000) == 14)
        let rate = try #require(try value("max_over_time(rate(g[1m])[2m:30s])", at: 247_000))
        #expect(abs(rate - 1.0 / 15) < 1e-12)
    }

    @Test(
        "subquery mistakes are parse errors",
        arguments: ["g[5m:0s]", "g[5m:1m", "rate(g[1m])[5m:] offset", "(g[1m])[5m:]", "sum(g)[5m]"]
    )
    func subqueryErrors(_ text: String) {
        #expect(throws: ExpressionError.self) { try RuleExpression.parse(text) }
    }
}
