import Alerting
import Dashboard
import Primitives
import Synchronization

/// Evaluates a dashboard's panels: each query as a range query over the panel's time range, one step per
/// graph column, and its headline figure as an instant query at the end of the range.
///
/// Steps are aligned to absolute time (multiples of the step), so a step whose samples are all in never
/// changes: its values are kept per query and step, and each frame evaluates only the steps that are new or
/// still open (those within two sample intervals of now).
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
    private struct CachedMatrix {
        /// Values by series and step time.
        var series: [Labels: [Int64: Double]] = [:]
        /// Steps up to this time are final (`nil`: none yet).
        var finalThrough: Int64?
        /// When it was last read (milliseconds), to drop the queries of ranges no longer shown.
        var lastUsed: Int64 = 0
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
        var panels: [Panel] = []
        panels.reserveCapacity(self.dashboard.panels.count)
        for (panelIndex, definition) in self.dashboard.panels.enumerated() {
            var series: [DashboardSeries] = []
            var error: String?
            for queryIndex in definition.queries.indices {
                let result = await self.series(texts[panelIndex][queryIndex], window: window)
                series += result.series
                error = error ?? result.error
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

    /// One query's series, and the message of its first failure.
    private func series(_ texts: QueryTexts, window: StepWindow) async
        -> (series: [DashboardSeries], error: String?)
    {
        let (matrix, rangeError) = await self.matrix(texts.range, window: window)
        var instant: [Labels: Double] = [:]
        var failure = rangeError
        do {
            let elements = try await self.source.query(texts.instant, at: window.now)
            for element in elements { instant[element.labels] = element.value }
        } catch {
            failure = failure ?? Self.message(error)
        }
        var labels = Set(matrix.keys)
        labels.formUnion(instant.keys)
        let series = labels.sorted().map { labels in
            let values = matrix[labels] ?? [:]
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

    /// The query's values over the window's steps, evaluating only the steps not already final, and the message
    /// of the evaluation's failure (the values kept from earlier frames stay).
    private func matrix(_ text: String, window: StepWindow) async -> ([Labels: [Int64: Double]], String?) {
        var cached = self.cache.withLock { $0[text] } ?? CachedMatrix()
        cached.lastUsed = window.now
        let from = max(window.first, cached.finalThrough.map { $0 + window.step } ?? window.first)
        var failure: String?
        var result: [RangeSeries]?
        if from <= window.last {
            do {
                result = try await self.source.queryRange(text, start: from, end: window.last, step: window.step)
            } catch {
                failure = Self.message(error)
            }
        }
        if let result {
            var series: [Labels: [Int64: Double]] = [:]
            for (labels, values) in cached.series {
                let kept = values.filter { $0.key >= window.first && $0.key < from }
                if !kept.isEmpty { series[labels] = kept }
            }
            for matrixSeries in result {
                for point in matrixSeries.points {
                    series[matrixSeries.labels, default: [:]][point.time] = point.value
                }
            }
            cached.series = series
            // A step is final once the samples up to it are in: two sample intervals later.
            let settled = (window.now - 2 * self.resolution) / window.step * window.step
            if min(settled, window.last) >= from {
                cached.finalThrough = min(settled, window.last)
            }
        }
        let stored = cached
        self.cache.withLock { $0[text] = stored }
        return (cached.series, failure)
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
