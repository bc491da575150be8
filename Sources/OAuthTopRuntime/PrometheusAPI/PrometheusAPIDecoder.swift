import Alerting
import Primitives
import Telemetry

/// Reads answers of Prometheus's HTTP API v1 (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/alerts`), as
/// Prometheus writes them (`web/api/v1/api.go`): an envelope `{"status": "success", "data": ..., "warnings": [...],
/// "infos": [...]}` or `{"status": "error", "errorType": ..., "error": ...}`; timestamps as float seconds, sample
/// values as strings (`"NaN"`, `"+Inf"`, `"-Inf"`).
///
/// Any bytes give a value or a ``PrometheusAPIError`` naming the place in the document that is wrong
/// (`data.result[3].values[7][1]`); it never traps. Native-histogram samples (`histogram`, `histograms`), which
/// the rule language does not read, are left out with a warning.
public enum PrometheusAPIDecoder {
    /// Decodes a query answer.
    ///
    /// - Parameter body: The answer's body.
    /// - Returns: The result with the server's warnings and infos.
    /// - Throws: ``PrometheusAPIError``: `server` for an error envelope, `notJSON` or `badShape` for anything else
    ///   that is not a query answer.
    public static func query(_ body: some Collection<UInt8>) throws(PrometheusAPIError) -> PrometheusQueryResponse {
        let (data, warnings, infos) = try self.envelope(body)
        let object = try self.object(data, "data")
        let type = try self.string(object["resultType"], "data.resultType")
        let result = object["result"]
        var notes = warnings
        switch type {
        case "matrix":
            let items = try self.array(result, "data.result")
            var series: [RangeSeries] = []
            series.reserveCapacity(items.count)
            var skipped = false
            for (index, item) in items.enumerated() {
                let path = "data.result[\(index)]"
                let fields = try self.object(item, path)
                let labels = try self.labels(fields["metric"], path + ".metric")
                guard fields["values"] != nil || fields["histograms"] != nil else {
                    throw .badShape(path, "a series needs \"values\" (or \"histograms\")")
                }
                var values: [JSONValue] = []
                if let list = fields["values"] { values = try self.array(list, path + ".values") }
                skipped = skipped || fields["histograms"] != nil
                var points: [RangeSeries.Point] = []
                points.reserveCapacity(values.count)
                for (pointIndex, value) in values.enumerated() {
                    let (time, number) = try self.sample(value, "\(path).values[\(pointIndex)]")
                    points.append(RangeSeries.Point(time: time, value: number))
                }
                if !values.isEmpty || fields["histograms"] == nil {
                    series.append(RangeSeries(labels: labels, points: points))
                }
            }
            if skipped { notes.append(Self.histogramNote) }
            return PrometheusQueryResponse(result: .matrix(series), warnings: notes, infos: infos)
        case "vector":
            let items = try self.array(result, "data.result")
            var elements: [VectorElement] = []
            elements.reserveCapacity(items.count)
            var time: Int64?
            for (index, item) in items.enumerated() {
                let path = "data.result[\(index)]"
                let fields = try self.object(item, path)
                let labels = try self.labels(fields["metric"], path + ".metric")
                guard let value = fields["value"] else {
                    if fields["histogram"] != nil {
                        if !notes.contains(Self.histogramNote) { notes.append(Self.histogramNote) }
                        continue
                    }
                    throw .badShape(path, "an element needs \"value\" (or \"histogram\")")
                }
                let (sampleTime, number) = try self.sample(value, path + ".value")
                time = time ?? sampleTime
                elements.append(VectorElement(labels: labels, value: number))
            }
            return PrometheusQueryResponse(result: .vector(elements, time: time ?? 0), warnings: notes, infos: infos)
        case "scalar":
            let (time, value) = try self.sample(result, "data.result")
            return PrometheusQueryResponse(result: .scalar(value, time: time), warnings: notes, infos: infos)
        case "string":
            let pair = try self.array(result, "data.result")
            guard pair.count == 2 else {
                throw .badShape("data.result", "expected [time, \"text\"], got \(pair.count) items")
            }
            let time = try self.timestamp(pair[0], "data.result[0]")
            let text = try self.string(pair[1], "data.result[1]")
            return PrometheusQueryResponse(result: .string(text, time: time), warnings: notes, infos: infos)
        default:
            throw .badShape("data.resultType", "expected matrix, vector, scalar or string, got \"\(Self.shown(type))\"")
        }
    }

    /// Decodes an `/api/v1/alerts` answer into alerts (`labels`, `annotations`, `state`, `activeAt`, `value`).
    ///
    /// - Throws: ``PrometheusAPIError`` as ``query(_:)`` does.
    public static func alerts(_ body: some Collection<UInt8>) throws(PrometheusAPIError) -> PrometheusAlertsResponse {
        let (data, warnings, _) = try self.envelope(body)
        let object = try self.object(data, "data")
        let items = try self.array(object["alerts"], "data.alerts")
        var alerts: [Alert] = []
        alerts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let path = "data.alerts[\(index)]"
            let fields = try self.object(item, path)
            let labels = try self.labels(fields["labels"], path + ".labels")
            var annotations: [String: String] = [:]
            if let value = fields["annotations"] {
                for (name, text) in try self.object(value, path + ".annotations") {
                    annotations[name] = try self.string(text, "\(path).annotations.\(name)")
                }
            }
            let stateText = try self.string(fields["state"], path + ".state")
            guard let state = AlertState(rawValue: stateText) else {
                throw .badShape(
                    path + ".state", "expected pending, firing or inactive, got \"\(Self.shown(stateText))\"")
            }
            let value = try self.number(fields["value"] ?? .string("NaN"), path + ".value")
            var activeAt: Int64 = 0
            if let text = fields["activeAt"], text != .null {
                activeAt = try self.time(text, path + ".activeAt")
            }
            var alert = Alert(labels: labels, annotations: annotations, state: state, value: value, activeAt: activeAt)
            if let text = fields["keepFiringSince"], text != .null {
                alert.keepFiringSince = try self.time(text, path + ".keepFiringSince")
            }
            alerts.append(alert)
        }
        return PrometheusAlertsResponse(alerts: alerts, warnings: warnings)
    }

    static let histogramNote = "native histogram samples were left out (the rule language reads float samples)"

    // MARK: Envelope

    /// The `data` of a success envelope, its warnings and infos; an error envelope is thrown as `server`.
    private static func envelope(
        _ body: some Collection<UInt8>
    ) throws(PrometheusAPIError) -> (JSONValue?, [String], [String]) {
        let document = try JSONValue.prometheusDocument(body)
        let top = try self.object(document, "(top)")
        let status = try self.string(top["status"], "status")
        switch status {
        case "success":
            let warnings = try self.strings(top["warnings"], "warnings")
            let infos = try self.strings(top["infos"], "infos")
            return (top["data"], warnings, infos)
        case "error":
            var type = "error"
            if let value = top["errorType"] { type = try self.string(value, "errorType") }
            var message = "(no message)"
            if let value = top["error"] { message = try self.string(value, "error") }
            throw .server(errorType: type, message: message)
        default:
            throw .badShape("status", "expected \"success\" or \"error\", got \"\(Self.shown(status))\"")
        }
    }

    /// Decodes only an error envelope (`nil` when `body` is not one): what a client reads from a 4xx or 5xx.
    public static func error(_ body: some Collection<UInt8>) -> PrometheusAPIError? {
        do {
            _ = try self.envelope(body)
            return nil
        } catch {
            return error.code == .server ? error : nil
        }
    }

    // MARK: Pieces

    /// `[time, "value"]`.
    private static func sample(_ value: JSONValue?, _ path: String) throws(PrometheusAPIError) -> (Int64, Double) {
        let pair = try self.array(value, path)
        guard pair.count == 2 else { throw .badShape(path, "expected [time, \"value\"], got \(pair.count) items") }
        return (try self.timestamp(pair[0], path + "[0]"), try self.number(pair[1], path + "[1]"))
    }

    /// Float seconds as milliseconds.
    private static func timestamp(_ value: JSONValue, _ path: String) throws(PrometheusAPIError) -> Int64 {
        guard case .number(let seconds) = value else {
            throw .badShape(path, "expected a timestamp in seconds, got \(value.kind)")
        }
        // Int64 milliseconds reach ±9.2e15 seconds; Prometheus's own range is far smaller.
        guard seconds.isFinite, seconds.magnitude < 9.2e15 else {
            throw .badShape(path, "the timestamp \(seconds) is out of range")
        }
        return Int64((seconds * 1000).rounded())
    }

    /// A sample value: a string Go's `strconv.ParseFloat` reads.
    private static func number(_ value: JSONValue, _ path: String) throws(PrometheusAPIError) -> Double {
        guard case .string(let text) = value else {
            throw .badShape(path, "expected a value as a string such as \"1.5\" or \"NaN\", got \(value.kind)")
        }
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: break
        }
        // Go's `'f'` form of a float64 has at most about 330 characters (5e-324 written out).
        guard text.utf8.count <= 400, let number = Double(text) else {
            throw .badShape(path, "\"\(Self.shown(text))\" is not a number")
        }
        guard number.isFinite || text.lowercased().contains("inf") else {
            throw .badShape(path, "\"\(Self.shown(text))\" is out of the range of a float64")
        }
        return number
    }

    /// An RFC 3339 time (Go's `time.Time` in JSON) as milliseconds.
    private static func time(_ value: JSONValue, _ path: String) throws(PrometheusAPIError) -> Int64 {
        let text = try self.string(value, path)
        guard let nanoseconds = RFC3339.parse(text) else {
            throw .badShape(path, "\"\(Self.shown(text))\" is not an RFC 3339 time")
        }
        return nanoseconds / 1_000_000
    }

    /// A label set: an object of valid label names to strings.
    private static func labels(_ value: JSONValue?, _ path: String) throws(PrometheusAPIError) -> Labels {
        guard let value else { return .empty }
        var pairs: [LabelPair] = []
        for (name, text) in try self.object(value, path) {
            guard Labels.isValidLabelName(name) else {
                throw .badShape(path, "\"\(Self.shown(name))\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)")
            }
            pairs.append(LabelPair(name: name, value: try self.string(text, "\(path).\(name)")))
        }
        return Labels(pairs)
    }

    private static func object(
        _ value: JSONValue?, _ path: String
    ) throws(PrometheusAPIError) -> [String: JSONValue] {
        guard case .object(let fields) = value else {
            throw .badShape(path, "expected an object, got \(value?.kind ?? "nothing")")
        }
        return fields
    }

    private static func array(_ value: JSONValue?, _ path: String) throws(PrometheusAPIError) -> [JSONValue] {
        guard case .array(let items) = value else {
            throw .badShape(path, "expected an array, got \(value?.kind ?? "nothing")")
        }
        return items
    }

    private static func string(_ value: JSONValue?, _ path: String) throws(PrometheusAPIError) -> String {
        guard case .string(let text) = value else {
            throw .badShape(path, "expected a string, got \(value?.kind ?? "nothing")")
        }
        return text
    }

    /// An optional array of strings (`warnings`, `infos`).
    private static func strings(_ value: JSONValue?, _ path: String) throws(PrometheusAPIError) -> [String] {
        guard let value, value != .null else { return [] }
        return try self.array(value, path).enumerated().map { index, item throws(PrometheusAPIError) in
            try self.string(item, "\(path)[\(index)]")
        }
    }

    /// Text from the answer as a message shows it: at most 40 characters.
    private static func shown(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "..." : text
    }
}
