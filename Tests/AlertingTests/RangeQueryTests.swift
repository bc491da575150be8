import Alerting
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
}
