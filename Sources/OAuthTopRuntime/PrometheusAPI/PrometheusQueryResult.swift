import Alerting

/// The `data` of a successful `/api/v1/query` or `/api/v1/query_range` answer, by its `resultType`.
///
/// Times are milliseconds since the epoch (the API writes float seconds); values are the API's strings read as
/// numbers (`"NaN"`, `"+Inf"`, `"-Inf"` included).
public enum PrometheusQueryResult: Sendable, Hashable {
    /// `matrix`: series with their points, as a range query answers.
    case matrix([RangeSeries])
    /// `vector`: one value per series at `time`, as an instant query answers.
    case vector([VectorElement], time: Int64)
    /// `scalar`: one number at `time`.
    case scalar(Double, time: Int64)
    /// `string`: one string at `time`.
    case string(String, time: Int64)

    /// The API's `resultType`.
    public var resultType: String {
        switch self {
        case .matrix: "matrix"
        case .vector: "vector"
        case .scalar: "scalar"
        case .string: "string"
        }
    }

    /// The elements of an instant result, as ``PanelQuerySource/query(_:at:)`` returns them: a scalar is one
    /// element without labels; a matrix gives each series' last point; a string gives none.
    public var elements: [VectorElement] {
        switch self {
        case .vector(let elements, _): elements
        case .scalar(let value, _): [VectorElement(labels: .empty, value: value)]
        case .string: []
        case .matrix(let series):
            series.compactMap { series in
                series.points.last.map { VectorElement(labels: series.labels, value: $0.value) }
            }
        }
    }

    /// The series of a range result: a vector or scalar is one point per series at its time; a string gives none.
    public var series: [RangeSeries] {
        switch self {
        case .matrix(let series): series
        case .vector(let elements, let time):
            elements.map { RangeSeries(labels: $0.labels, points: [RangeSeries.Point(time: time, value: $0.value)]) }
        case .scalar(let value, let time):
            [RangeSeries(labels: .empty, points: [RangeSeries.Point(time: time, value: value)])]
        case .string: []
        }
    }
}

/// A successful query answer: its result and the server's `warnings` and `infos` (Prometheus 3 sends `infos`).
public struct PrometheusQueryResponse: Sendable, Hashable {
    public var result: PrometheusQueryResult
    public var warnings: [String]
    public var infos: [String]

    public init(result: PrometheusQueryResult, warnings: [String] = [], infos: [String] = []) {
        self.result = result
        self.warnings = warnings
        self.infos = infos
    }
}

/// A successful `/api/v1/alerts` answer: the pending and firing alerts (state, labels, annotations, value and
/// `activeAt`; Prometheus sends no firing time) and the server's warnings.
public struct PrometheusAlertsResponse: Sendable, Hashable {
    public var alerts: [Alert]
    public var warnings: [String]

    public init(alerts: [Alert], warnings: [String] = []) {
        self.alerts = alerts
        self.warnings = warnings
    }
}
