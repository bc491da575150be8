import Alerting
import Telemetry
import Testing

@Suite("Range queries")
struct RangeQueryTests {
    /// A counter `c_total{k}` for `a` (1 per 10 s from 0) and `b` (from 60 s), sampled every 10 s to 120 s.
    static func store() -> InMemorySeriesStore {
        let store = InMemorySeriesStore()
        for second in stride(from: 0, through: 120, by: 10) {
            let time = Int64(second) * 1000
            store.append(Labels(["__name__": "c_total", "k": "a"]), timestamp: time, value: Double(second / 10))
            if second >= 60 {
                store.append(Labels(["__name__": "c_total", "k": "b"]), timestamp: time, value: 5)
            }
        }
        return store
    }

    @Test("each step is an instant evaluation; a series has points only where it has a value")
    func steps() throws {
        let evaluator = Evaluator(source: Self.store())
        let expression = try RuleExpression.parse("c_total")
        let matrix = try evaluator.evaluateRange(expression, start: 30_000, end: 90_000, step: 30_000)
        #expect(matrix.map(\.labels.description) == [#"c_total{k="a"}"#, #"c_total{k="b"}"#])
        #expect(
            matrix[0].points == [
                .init(time: 30_000, value: 3), .init(time: 60_000, value: 6),
                .init(time: 90_000, value: 9),
            ])
        #expect(matrix[1].points == [.init(time: 60_000, value: 5), .init(time: 90_000, value: 5)])
    }

    @Test("the end is included when it falls on a step, and steps start at start")
    func bounds() throws {
        let evaluator = Evaluator(source: Self.store())
        let expression = try RuleExpression.parse(#"c_total{k="a"}"#)
        let times = try evaluator.evaluateRange(expression, start: 10_000, end: 40_000, step: 15_000)
            .first?.points.map(\.time)
        #expect(times == [10_000, 25_000, 40_000])
        #expect(try evaluator.evaluateRange(expression, start: 50_000, end: 40_000, step: 1_000).isEmpty)
    }

    @Test("a function of a range: rate over each step's own window, the name dropped")
    func rate() throws {
        let evaluator = Evaluator(source: Self.store())
        let expression = try RuleExpression.parse(#"sum by (k) (rate(c_total[30s]))"#)
        let matrix = try evaluator.evaluateRange(expression, start: 60_000, end: 120_000, step: 60_000)
        #expect(matrix.map(\.labels.description) == [#"{k="a"}"#, #"{k="b"}"#])
        // a rises 1 per 10 s: 0.1/s at every step; b is flat.
        #expect(matrix[0].points.map(\.value) == [0.1, 0.1])
        #expect(matrix[1].points.map(\.value) == [0])
    }

    @Test("a scalar result is one series without labels")
    func scalar() throws {
        let evaluator = Evaluator(source: Self.store())
        let matrix = try evaluator.evaluateRange(try RuleExpression.parse("1 + 2"), start: 0, end: 20, step: 10)
        #expect(matrix == [RangeSeries(labels: .empty, points: [0, 10, 20].map { .init(time: $0, value: 3) })])
    }

    @Test("a string expression and a step that is not positive are errors")
    func errors() throws {
        let evaluator = Evaluator(source: Self.store())
        #expect(throws: EvaluationError.self) {
            try evaluator.evaluateRange(try RuleExpression.parse(#""text""#), start: 0, end: 10, step: 1)
        }
        #expect(throws: EvaluationError.self) {
            try evaluator.evaluateRange(try RuleExpression.parse("c_total"), start: 0, end: 10, step: 0)
        }
    }

    /// Expressions that repeat selections, functions and aggregations, with a subquery (its inner steps at other
    /// times than the outer one), a failure (many-to-many) and a string.
    static let batch = [
        "sum(increase(c_total[30s])) / (sum(increase(c_total[30s])) + sum(increase(c_total[30s])))",
        "sum by (k) (increase(c_total[30s])) + sum by (k) (rate(c_total[30s]))",
        "max_over_time(sum(c_total)[40s:10s]) - sum(c_total)",
        "sum(c_total)",
        "c_total + on() c_total",
        #""text""#,
        "sum(increase(c_total[30s]))",
    ]

    @Test("several range queries together give what each gives alone, failures included")
    func batchRange() throws {
        let evaluator = Evaluator(source: Self.store())
        let expressions = try Self.batch.map { try RuleExpression.parse($0) }
        let together = evaluator.evaluateRange(expressions, start: 0, end: 120_000, step: 10_000)
        #expect(together.count == expressions.count)
        for (expression, result) in zip(expressions, together) {
            let alone = Result { () throws(EvaluationError) in
                try evaluator.evaluateRange(expression, start: 0, end: 120_000, step: 10_000)
            }
            #expect(result == alone, "\(expression)")
        }
        #expect(together.filter { (try? $0.get()) == nil }.count == 2)
        #expect(try together[0].get().first?.points.count ?? 0 > 5)
    }

    @Test("several instant queries together give what each gives alone")
    func batchInstant() throws {
        let evaluator = Evaluator(source: Self.store())
        let expressions = try Self.batch.map { try RuleExpression.parse($0) }
        for time in stride(from: Int64(0), through: 120_000, by: 5_000) {
            let together = evaluator.evaluate(expressions, at: time)
            for (expression, result) in zip(expressions, together) {
                let alone = Result { () throws(EvaluationError) in try evaluator.evaluate(expression, at: time) }
                #expect(result == alone, "\(expression) at \(time)")
            }
        }
    }

    @Test("label sets: sorted by name, empty values dropped, the last of a repeated name kept; without the name")
    func labelSets() {
        let pairs = [
            LabelPair(name: "z", value: "1"), LabelPair(name: "a", value: "2"), LabelPair(name: "m", value: ""),
            LabelPair(name: "a", value: "3"), LabelPair(name: "B", value: "4"),
        ]
        #expect(Labels(pairs).pairs.map(\.name) == ["B", "a", "z"])
        #expect(Labels(pairs)["a"] == "3")
        let series = [LabelPair(name: "provider", value: "a"), LabelPair(name: "le", value: "0.1")]
        let named = Labels(name: "x_bucket", labels: series)
        #expect(named.pairs.map(\.name) == ["__name__", "le", "provider"])
        #expect(Labels(withoutName: series) == named.droppingMetricName)
        #expect(Labels(withoutName: series + [LabelPair(name: "__name__", value: "y")]) == named.droppingMetricName)
        #expect(Labels(["__name__": "x", "a": "b"]).droppingMetricName == Labels(["a": "b"]))
        #expect(Labels(["a": "b"]).droppingMetricName == Labels(["a": "b"]))
    }
}
