/// One input series of a test group: its selector text and its expanded values.
public struct InputSeries: Sendable, Hashable {
    /// The series as written, e.g. `up{job="a"}`; the evaluator's label parser reads it.
    public var series: String
    /// One point per sample interval, starting at time 0 (see ``SeriesNotation``).
    public var values: [SeriesPoint]
    /// Line of the first character of the `values` text (1-based), for messages.
    public var line: Int
    /// Column of the first character of the `values` text (1-based).
    public var column: Int

    public init(series: String, values: [SeriesPoint], line: Int = 0, column: Int = 0) {
        self.series = series
        self.values = values
        self.line = line
        self.column = column
    }
}
