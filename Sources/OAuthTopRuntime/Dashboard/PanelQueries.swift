import Alerting
import Dashboard
import Primitives
import Synchronization

/// Evaluates a dashboard's panels: each query as a range query over the panel's time range, one step per
/// graph column, and its headline figure as an instant query at the end of the range.
///
/// Steps are aligned to absolute time (multiples of the step), so a step whose samples are all in never
/// changes: its values are kept per query and step, and each frame evaluates only the steps that are new or
/// still open (those within two sample intervals of now). The frame's queries go to the source together (all
/// range queries, then all instant ones), so the evaluator reads a selection they repeat once: the default
/// dashboard's eleven queries ask for `increase(oauth_refresh_attempts_total{outcome="success"}[...])` six times.
public final class PanelQueries: Sendable {
    /// The dashboard whose panels are evaluated.
    public let dashboard: DashboardDefinition
    private let source: any PanelQuerySource
    /// The data's sample interval in milliseconds.
    private let resolution: Int64
    private let cache = Mutex<[String: CachedMatrix]>([:])
    /// The queries' texts with the variables substituted, by panel and query, for the variables they were made
    /// with: those change only with the range and the graph's width, and substituting every frame cost a fifth
    /// of the dashboard's idle CPU.
    private let texts = Mutex<(variables: PanelVariables, texts: [[QueryTexts]])?>(nil)

    /// One query's texts, ready to evaluate.
    private struct QueryTexts {
        var range: String
        var instant: String
        var legend: LegendTemplate
    }

    /// A range query's values kept between frames.
    ///
    /// The key is the query's text, which does not always change with the range and the width (a query without
    /// `$__interval`, or a range whose step is the same): so the values are kept for one step, and from one
    /// first step on. A frame with another step, or a window that starts before the kept steps (a longer range),
    /// evaluates its whole window again.
    private struct CachedMatrix {
        /// The step the values were evaluated at.
        var step: Int64 = 0
        /// Every step from this one to ``finalThrough`` has its values here (the first step of the window
        /// they were evaluated for).
        var coveredFrom: Int64 = .max
        /// Values by series and step time.
        var series: [Labels: [Int64: Double]] = [:]
        /// Steps up to this time are final (`nil`: none yet).
        var finalThrough: Int64?
        /// When it was last read (milliseconds), to drop the queries of ranges no longer shown.
        var lastUsed: Int64 = 0

        /// Whether the kept steps serve `window`: same step, and nothing before the window's first step is
        /// missing.
        func serves(_ window: StepWindow) -> Bool {
            self.step == window.step && self.finalThrough != nil && self.coveredFrom <= window.first
        }

        /// Keeps the steps of the window before `from`, and takes the evaluated steps from `from` on.
        mutating func merge(_ result: [RangeSeries], from: Int64, window: StepWindow, settled: Int64) {
            var series: [Labels: [Int64: Double]] = [:]
            for (labels, values) in self.series {
                let kept = values.filter { $0.key >= window.first && $0.key < from }
                if !kept.isEmpty { series[labels] = kept }
            }
            for matrixSeries in result {
                for point in matrixSeries.points {
                    series[matrixSeries.labels, default: [:]][point.time] = point.value
                }
            }
            self.series = series
            // Every step of the window is now kept or evaluated.
            self.coveredFrom = window.first
            if min(settled, window.last) >= from {
                self.finalThrough = min(settled, window.last)
            }
        }
    }

    /// Creates the evaluation of `dashboard`'s panels.
    ///
    /// - Parameters:
    ///   - dashboard: The panels and their queries.
    ///   - source: What answers the queries.
    ///   - resolution: The data's sample interval (the Telemetry collector's, 1 s by default).
    public init(dashboard: DashboardDefinition, source: any PanelQuerySource, resolution: Duration = .seconds(1)) {
        self.dashboard = dashboard
        self.source = source
        self.resolution = max(1, resolution.milliseconds)
    }

    /// The step for a range shown on `points` graph columns: the range over the columns, rounded up to whole
    /// sample intervals, and at least two of them (so `increase(x[$__interval])` has two samples).
    public static func step(range: Int64, points: Int, resolution: Int64) -> Int64 {
        let columns = Int64(max(1, points))
        let raw = (range + columns - 1) / columns
        let aligned = (raw + resolution - 1) / resolution * resolution
        return max(aligned, 2 * resolution)
    }

    /// The panels with their series.
    ///
    /// - Parameters:
    ///   - range: The panels' time range.
    ///   - now: The end of the range (milliseconds since the epoch).
    ///   - points: The graph's width in columns: at most this many steps.
    /// - Returns: One ``Panel`` per panel of the dashboard, in order. A query that fails gives no series (or its
    ///   kept steps) and its panel the error's message, so the panel says why it has no data.
    public func panels(range: TimeRange, now: Int64, points: Int) async -> [Panel] {
        let length = range.milliseconds
        let step = Self.step(range: length, points: points, resolution: self.resolution)
        let count = max(1, Int(length / step))
        let window = StepWindow(last: now / step * step, step: step, count: count, now: now)
        let variables = PanelVariables(interval: step, resolution: self.resolution, range: length)
        let texts = self.texts(for: variables)
        // Every query of every panel at once: the source reads a selection the queries repeat once per step.
        let queries = texts.flatMap { $0 }
        let matrices = await self.matrices(queries.map(\.range), window: window)
        let instants = await self.source.query(queries.map(\.instant), at: window.now)
        var panels: [Panel] = []
        panels.reserveCapacity(self.dashboard.panels.count)
        var index = 0
        for definition in self.dashboard.panels {
            var series: [DashboardSeries] = []
            var error: String?
            for _ in definition.queries {
                let result = Self.series(
                    queries[index], matrix: matrices[index], instant: instants[index], window: window)
                series += result.series
                error = error ?? result.error
                index += 1
            }
            panels.append(Panel(definition: definition, series: series, error: error))
        }
        self.cache.withLock { cache in
            cache = cache.filter { $0.value.lastUsed >= now - 60_000 }
        }
        return panels
    }

    /// The steps of one frame.
    struct StepWindow {
        /// The last step's time: the last multiple of the step at or before now.
        var last: Int64
        var step: Int64
        var count: Int
        var now: Int64
        var first: Int64 { self.last - Int64(self.count - 1) * self.step }
    }

    /// The substituted texts of every query, made again only when the variables change.
    private func texts(for variables: PanelVariables) -> [[QueryTexts]] {
        if let kept = self.texts.withLock({ $0 }), kept.variables == variables { return kept.texts }
        let texts = self.dashboard.panels.map { definition in
            definition.queries.map { query in
                QueryTexts(
                    range: variables.substitute(query.expression),
                    instant: variables.substitute(query.instantExpression),
                    legend: LegendTemplate(query.legend)
                )
            }
        }
        self.texts.withLock { $0 = (variables, texts) }
        return texts
    }

    /// One query's series from its matrix and its instant result, and the message of its first failure.
    private static func series(
        _ texts: QueryTexts,
        matrix: (values: [Labels: [Int64: Double]], error: String?),
        instant result: Result<[VectorElement], any Error>,
        window: StepWindow
    ) -> (series: [DashboardSeries], error: String?) {
        var instant: [Labels: Double] = [:]
        var failure = matrix.error
        switch result {
        case .success(let elements):
            for element in elements { instant[element.labels] = element.value }
        case .failure(let error):
            failure = failure ?? Self.message(error)
        }
        var labels = Set(matrix.values.keys)
        labels.formUnion(instant.keys)
        let series = labels.sorted().map { labels in
            let values = matrix.values[labels] ?? [:]
            let points = (0..<window.count).map { index in
                Self.shown(values[window.first + Int64(index) * window.step])
            }
            return DashboardSeries(
                label: texts.legend.name(for: labels), value: Self.shown(instant[labels]), points: points)
        }
        return (series, failure)
    }

    /// An error as a panel shows it: its description on one line.
    static func message(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The queries' values over the window's steps, evaluating only the steps not already final, and the message
    /// of each evaluation's failure (the values kept from earlier frames stay). A text given twice is evaluated
    /// once; the queries whose first open step is the same are evaluated together.
    private func matrices(_ texts: [String], window: StepWindow) async
        -> [(values: [Labels: [Int64: Double]], error: String?)]
    {
        var distinct: [String: Int] = [:]
        for text in texts where distinct[text] == nil {
            distinct[text] = distinct.count
        }
        var kept = [CachedMatrix](repeating: CachedMatrix(), count: distinct.count)
        self.cache.withLock { cache in
            for (text, index) in distinct {
                kept[index] = cache[text] ?? CachedMatrix()
            }
        }
        var failures = [String?](repeating: nil, count: distinct.count)
        // The queries by the first step they need evaluated (all the same, but after a range change).
        var pending: [Int64: [(text: String, index: Int)]] = [:]
        for (text, index) in distinct {
            if !kept[index].serves(window) {
                kept[index] = CachedMatrix(step: window.step)
            }
            kept[index].lastUsed = window.now
            let from = max(window.first, kept[index].finalThrough.map { $0 + window.step } ?? window.first)
            if from <= window.last {
                pending[from, default: []].append((text, index))
            }
        }
        // A step is final once the samples up to it are in: two sample intervals later.
        let settled = (window.now - 2 * self.resolution) / window.step * window.step
        for (from, queries) in pending {
            let results = await self.source.queryRange(
                queries.map(\.text), start: from, end: window.last, step: window.step)
            for (query, result) in zip(queries, results) {
                switch result {
                case .success(let matrix):
                    kept[query.index].merge(matrix, from: from, window: window, settled: settled)
                case .failure(let error):
                    failures[query.index] = Self.message(error)
                }
            }
        }
        self.cache.withLock { cache in
            for (text, index) in distinct {
                cache[text] = kept[index]
            }
        }
        return texts.map { text in
            let index = distinct[text]!
            return (kept[index].series, failures[index])
        }
    }

    /// A value as the dashboard shows it: `nil` for none and for NaN (0/0, e.g. a ratio without rounds).
    private static func shown(_ value: Double?) -> Double? {
        guard let value, !value.isNaN else { return nil }
        return value
    }

    /// A series' name: the legend with `{{label}}` replaced by the label's value; the labels as Prometheus
    /// writes them when the legend is empty.
    static func legend(_ legend: String, _ labels: Labels) -> String {
        LegendTemplate(legend).name(for: labels)
    }
}
