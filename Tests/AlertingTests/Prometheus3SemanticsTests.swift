import Alerting
import Testing

/// Where Prometheus 3 differs from 2.42, or from a plain reading of the functions: each expected value is derived
/// by hand from the Prometheus sources (v3.x `promql/engine.go`, `promql/functions.go`, `promql/quantile.go`), named
/// in each test.
@Suite("Prometheus 3 semantics")
struct Prometheus3SemanticsTests {
    /// One series per entry, sample `i` at `start + i × interval`.
    static func store(_ series: [(Labels, [Double])], start: Int64 = 0, interval: Int64 = 15_000) -> InMemorySeriesStore
    {
        let store = InMemorySeriesStore()
        for (labels, values) in series {
            for (index, value) in values.enumerated() {
                store.append(labels, timestamp: start + Int64(index) * interval, value: value)
            }
        }
        return store
    }

    static func series(_ name: String, _ labels: [String: String] = [:]) -> Labels {
        Labels(labels.merging(["__name__": name]) { $1 })
    }

    static func evaluate(_ text: String, _ store: InMemorySeriesStore, at time: Int64) throws -> [Double] {
        try Evaluator(source: store).evaluate(RuleExpression.parse(text), at: time).elements.map(\.value)
    }

    /// One gauge per value, all at time 0, labelled `i="0"`, `i="1"`, ...
    static func gauges(_ values: [Double]) -> InMemorySeriesStore {
        self.store(values.enumerated().map { index, value in (Self.series("g", ["i": "\(index)"]), [value]) })
    }

    static func close(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        if expected.isNaN || expected.isInfinite {
            return value.isNaN == expected.isNaN && (value.isNaN || value == expected)
        }
        return Swift.abs(value - expected) <= 1e-15 * Swift.abs(expected)
    }

    // MARK: - Means

    /// `aggregation` (AVG) and `funcAvgOverTime`: a Kahan sum divided by the count while the sum is finite; once
    /// the next value would make it infinite, `mean = sum / (n-1)` and from then on
    /// `mean, c = kahansum.Inc(v/n, mean·(n-1)/n, c·(n-1)/n)`, the result `mean + c`. So an infinity among the
    /// inputs is the mean (where sum/count, or a naive incremental mean, gives NaN), opposite infinities give NaN,
    /// and [1e308, 1e308, -1e308] gives 1e308/3: 1e308 overflows the sum, mean = 1e308; then 1e308/2 + 1e308/2 =
    /// 1e308; then -1e308/3 + 1e308·2/3.
    @Test(
        "avg and avg_over_time: infinities and overflowing sums as Prometheus 3's mean",
        arguments: [
            ([1, .infinity, 3], Double.infinity),
            ([-.infinity, 1, 2], -.infinity),
            ([1, 2, .infinity], .infinity),
            ([.infinity, -.infinity, 1], .nan),
            ([1e308, 1e308, -1e308], 1e308 / 3),
            ([-1e308, -1e308, 4], -1e308 / 3 * 2),
            ([1, 2, 4], 7.0 / 3),
        ] as [([Double], Double)]
    )
    func means(_ values: [Double], _ expected: Double) throws {
        let average = try Self.evaluate("avg(g)", Self.gauges(values), at: 0)
        #expect(average.count == 1)
        #expect(Self.close(average.first, expected), "avg(\(values)) = \(average)")
        let overTime = Self.store([(Self.series("h"), values)])
        let time = Int64(values.count - 1) * 15_000
        let result = try Self.evaluate("avg_over_time(h[1m])", overTime, at: time)
        #expect(Self.close(result.first, expected), "avg_over_time(\(values)) = \(result)")
    }

    /// `aggregation` (STDDEV/STDVAR): a group whose first value is infinite starts at NaN, and an infinity later
    /// makes the running sum NaN (Inf · (Inf - Inf)); `varianceOverTime` likewise. Finite values: population
    /// variance.
    @Test("stddev and stdvar: an infinity makes NaN; finite values their population variance")
    func variance() throws {
        #expect(try Self.evaluate("stddev(g)", Self.gauges([.infinity, 1]), at: 0).first?.isNaN == true)
        #expect(try Self.evaluate("stdvar(g)", Self.gauges([.infinity]), at: 0).first?.isNaN == true)
        #expect(try Self.evaluate("stdvar(g)", Self.gauges([1, .infinity]), at: 0).first?.isNaN == true)
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        let stdvar = try Self.evaluate("stdvar(g)", Self.gauges(values), at: 0).first
        #expect(stdvar.map { Swift.abs($0 - 4) < 1e-12 } == true)
        let stddev = try Self.evaluate("stddev(g)", Self.gauges(values), at: 0).first
        #expect(stddev.map { Swift.abs($0 - 2) < 1e-12 } == true)
        let series = Self.store([(Self.series("h"), [1, .infinity, 3])])
        #expect(try Self.evaluate("stddev_over_time(h[1m])", series, at: 30_000).first?.isNaN == true)
    }

    /// `funcSumOverTime` returns an infinite sum as it is; `aggregation` (SUM) adds the compensation, zero once
    /// the sum is infinite.
    @Test("sum and sum_over_time overflow to +Inf")
    func sums() throws {
        #expect(try Self.evaluate("sum(g)", Self.gauges([1e308, 1e308]), at: 0) == [.infinity])
        let series = Self.store([(Self.series("h"), [1e308, 1e308, -1e308])])
        #expect(try Self.evaluate("sum_over_time(h[1m])", series, at: 30_000) == [.infinity])
    }

    // MARK: - Extrapolation

    /// `extrapolatedRate`: `durationToStart` becomes half the average interval when it is at least 1.1 average
    /// intervals, and only then is it capped at the counter's zero point. A counter from 10 rising by 10 every
    /// 15 s, first sampled at 660 s, read at 780 s over 5m: 9 samples, increase 80 over 120 s, average interval
    /// 15 s (threshold 16.5 s). The start is 180 s away, so half an interval (7.5 s); the zero point is
    /// 120 × 10 / 80 = 15 s back, not nearer; the end 0 s. increase = 80 × (120 + 7.5) / 120 = 85
    /// (Prometheus 2.42 capped first: 80 × 135 / 120 = 90).
    @Test("rate and increase: the zero-point cap comes after the extrapolation threshold")
    func zeroPointAfterThreshold() throws {
        let store = Self.store(
            [(Self.series("c_total"), (0...8).map { 10 + 10 * Double($0) })], start: 660_000)
        #expect(try Self.evaluate("increase(c_total[5m])", store, at: 780_000) == [85])
        let rate = try #require(try Self.evaluate("rate(c_total[5m])", store, at: 780_000).first)
        #expect(Swift.abs(rate - 85.0 / 300) < 1e-15)
        // The zero point nearer than half an interval wins: from 2, 120 × 2 / 80 = 3 s; 80 × 123 / 120 = 82.
        let near = Self.store([(Self.series("c_total"), (0...8).map { 2 + 10 * Double($0) })], start: 660_000)
        let increase = try #require(try Self.evaluate("increase(c_total[5m])", near, at: 780_000).first)
        #expect(Swift.abs(increase - 82) < 1e-12)
        // delta is no counter: no zero-point cap.
        #expect(try Self.evaluate("delta(c_total[5m])", store, at: 780_000) == [85])
    }

    // MARK: - Names and duplicate label sets

    static let twoNames = store([
        (series("a_total", ["job": "x"]), (0...20).map { Double($0) }),
        (series("b_total", ["job": "x"]), (0...20).map { 2 * Double($0) }),
    ])

    /// Without the experimental `promql-delayed-name-removal` (off by default in Prometheus 3 and its promtool),
    /// `rate`, arithmetic, unary minus and `bool` comparisons drop the name at once, and a result with two
    /// elements of the same labels is an error (the range-function path of `eval`; `rangeEval`'s check of an
    /// instant step; `mergeSeriesWithSameLabelset` for unary minus), also inside an aggregation.
    @Test(
        "a name dropped by a function or operator: same labels are an error, even under an aggregation",
        arguments: [
            #"sum(rate({__name__=~"a_total|b_total"}[1m]))"#,
            #"{__name__=~"a_total|b_total"} * 2"#,
            #"2 * {__name__=~"a_total|b_total"}"#,
            #"-{__name__=~"a_total|b_total"}"#,
            #"{__name__=~"a_total|b_total"} > bool 1"#,
            #"abs({__name__=~"a_total|b_total"})"#,
            #"sum(label_replace({__name__=~"a_total|b_total"}, "__name__", "c", "job", ".*"))"#,
        ]
    )
    func duplicateLabelSets(_ text: String) throws {
        #expect(throws: EvaluationError.self) { try Self.evaluate(text, Self.twoNames, at: 300_000) }
    }

    /// Where the name stays (selectors, filtering comparisons, `last_over_time`), or the aggregation comes first,
    /// the series stay apart: Prometheus's answer.
    @Test(
        "names kept: aggregations over series that differ only by name",
        arguments: [
            (#"sum({__name__=~"a_total|b_total"})"#, [60.0]),
            (#"sum({__name__=~"a_total|b_total"} > 1)"#, [60]),
            (#"count(last_over_time({__name__=~"a_total|b_total"}[1m]))"#, [2]),
            (#"sum(rate(a_total[1m])) + sum(rate(b_total[1m]))"#, [0.2]),
            (#"sum by (job) (rate(a_total[1m]) or rate(b_total[1m]))"#, [1.0 / 15]),
        ] as [(String, [Double])]
    )
    func namesKept(_ text: String, _ expected: [Double]) throws {
        let values = try Self.evaluate(text, Self.twoNames, at: 300_000)
        #expect(values.count == expected.count)
        for (value, wanted) in zip(values, expected) {
            #expect(Swift.abs(value - wanted) < 1e-12, "\(text) = \(values)")
        }
    }

    /// `VectorBinop`: one-to-one matches are counted before a comparison filters them, so two left-hand series
    /// matching one right-hand series is an error even when one of them would be filtered out; and with either
    /// side empty nothing is matched, so duplicates on the other side are no error.
    @Test("vector matching: matches counted before filtering; an empty side matches nothing")
    func vectorMatching() throws {
        let store = Self.store([
            (Self.series("a_total", ["job": "x"]), [1]),
            (Self.series("b_total", ["job": "x"]), [5]),
            (Self.series("y", ["job": "x"]), [3]),
        ])
        #expect(throws: EvaluationError.self) {
            try Self.evaluate(#"{__name__=~"a_total|b_total"} > on (job) y"#, store, at: 0)
        }
        #expect(try Self.evaluate(#"missing + on (job) {__name__=~"a_total|b_total"}"#, store, at: 0).isEmpty)
        #expect(try Self.evaluate(#"{__name__=~"a_total|b_total"} + on (job) missing"#, store, at: 0).isEmpty)
    }

    // MARK: - Functions

    /// `clamp` with Go's `math.Max`/`math.Min`, which return NaN for a NaN argument (clamp_min and clamp_max
    /// are clamp with an infinite other bound); an infinite bound of the right sign wins over NaN.
    @Test("clamp, clamp_min, clamp_max keep NaN as Go's math.Max/Min do")
    func clampNaN() throws {
        let store = Self.gauges([.nan])
        #expect(try Self.evaluate("clamp_min(g, 0)", store, at: 0).first?.isNaN == true)
        #expect(try Self.evaluate("clamp_max(g, 0)", store, at: 0).first?.isNaN == true)
        #expect(try Self.evaluate("clamp(g, 0, 1)", store, at: 0).first?.isNaN == true)
        #expect(try Self.evaluate("clamp_min(g, +Inf)", store, at: 0) == [.infinity])
        #expect(try Self.evaluate("clamp(g, 2, 1)", store, at: 0).isEmpty)
        #expect(try Self.evaluate("clamp(vector(5), 0, 1)", store, at: 0) == [1])
    }

    /// `createLabelsForAbsentFunction`: a label's first `=` matcher gives it; any other matcher of that label
    /// removes it.
    @Test("absent: a label with two matchers is left out")
    func absentLabels() throws {
        let store = Self.gauges([1])
        let result = try Evaluator(source: store).evaluate(
            RuleExpression.parse(#"absent(nothing{job="a", job="b", env="prod", zone=~"z.*"})"#), at: 0)
        #expect(result.elements.map(\.labels) == [Labels(["env": "prod"])])
        let overTime = try Evaluator(source: store).evaluate(
            RuleExpression.parse(#"absent_over_time(nothing{env="prod", env!="x"}[1m])"#), at: 0)
        #expect(overTime.elements.map(\.labels) == [Labels.empty])
    }

    /// `ensureMonotonicAndIgnoreSmallDeltas`: bucket counts within a relative 1e-12 of the previous bucket are
    /// taken as equal. Buckets 1: 4, 2: 4(1 + 1e-13), +Inf: 4(1 + 1e-13) are all 4, so the 100th percentile is in
    /// the first bucket: 0 + (1 - 0) × 4/4 = 1 (without the tolerance, 2).
    @Test("histogram_quantile ignores bucket differences below a relative 1e-12")
    func histogramSmallDeltas() throws {
        let tiny = 4 * (1 + 1e-13)
        let store = Self.store([
            (Self.series("h_bucket", ["le": "1"]), [4]),
            (Self.series("h_bucket", ["le": "2"]), [tiny]),
            (Self.series("h_bucket", ["le": "+Inf"]), [tiny]),
        ])
        #expect(try Self.evaluate("histogram_quantile(1, h_bucket)", store, at: 0) == [1])
    }

    /// `NewFastRegexMatcher` (model/labels/regexp.go) and `evalLabelReplace` anchor as `^(?s:...)$`: `.` matches
    /// a newline.
    @Test("regular expressions: . matches a newline")
    func dotMatchesNewline() throws {
        let store = Self.store([(Self.series("up", ["v": "a\nb"]), [1])])
        #expect(try Self.evaluate(#"up{v=~"a.b"}"#, store, at: 0) == [1])
        let replaced = try Evaluator(source: store).evaluate(
            RuleExpression.parse(#"label_replace(up, "w", "$1", "v", "(.*)")"#), at: 0)
        #expect(replaced.elements.first?.labels["w"] == "a\nb")
    }

    /// `quantile` sorts with `vectorByValueHeap.Less`, NaN first.
    @Test("quantile puts NaN first")
    func quantileNaN() throws {
        let store = Self.gauges([3, .nan, 1])
        #expect(try Self.evaluate("quantile(0.5, g)", store, at: 0) == [1])
        #expect(try Self.evaluate("quantile(1, g)", store, at: 0) == [3])
        #expect(try Self.evaluate("quantile(0, g)", store, at: 0).first?.isNaN == true)
    }
}
