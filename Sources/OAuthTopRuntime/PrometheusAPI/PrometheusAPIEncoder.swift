import Alerting
import Primitives

/// Writes answers of Prometheus's HTTP API v1 as Prometheus does (`web/api/v1/api.go` with `jsonutil`): labels in
/// sorted order, timestamps as seconds with up to three decimals (`1435781430.781`), sample values as strings in
/// Go's shortest `'f'` form (`"0.5"`, `"NaN"`, `"+Inf"`), an alert's value in `'e'` form (`"1e+00"`) and its
/// `activeAt` in RFC 3339. What the daemon's token socket answers on `/api/v1/...`; ``PrometheusAPIDecoder`` reads it.
public enum PrometheusAPIEncoder {
    /// A success answer with `result`.
    public static func query(_ result: PrometheusQueryResult, warnings: [String] = [], infos: [String] = []) -> [UInt8]
    {
        var out = "{\"status\":\"success\",\"data\":{\"resultType\":\"\(result.resultType)\",\"result\":"
        switch result {
        case .matrix(let series):
            out += "["
            for (index, item) in series.enumerated() {
                if index > 0 { out += "," }
                out += "{\"metric\":"
                Self.labels(item.labels, into: &out)
                out += ",\"values\":["
                for (pointIndex, point) in item.points.enumerated() {
                    if pointIndex > 0 { out += "," }
                    Self.sample(time: point.time, value: point.value, into: &out)
                }
                out += "]}"
            }
            out += "]"
        case .vector(let elements, let time):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                out += "{\"metric\":"
                Self.labels(element.labels, into: &out)
                out += ",\"value\":"
                Self.sample(time: time, value: element.value, into: &out)
                out += "}"
            }
            out += "]"
        case .scalar(let value, let time):
            Self.sample(time: time, value: value, into: &out)
        case .string(let text, let time):
            out += "[" + Self.timestamp(time) + "," + EventJSON.quote(text) + "]"
        }
        out += "}"
        Self.notes(warnings: warnings, infos: infos, into: &out)
        out += "}"
        return Array(out.utf8)
    }

    /// An `/api/v1/alerts` answer.
    public static func alerts(_ alerts: [Alert]) -> [UInt8] {
        var out = "{\"status\":\"success\",\"data\":{\"alerts\":["
        for (index, alert) in alerts.enumerated() {
            if index > 0 { out += "," }
            out += "{\"labels\":"
            Self.labels(alert.labels, into: &out)
            out += ",\"annotations\":"
            Self.labels(Labels(alert.annotations), into: &out)
            out += ",\"state\":\"\(alert.state.rawValue)\",\"activeAt\":\"\(Self.time(alert.activeAt))\""
            if let since = alert.keepFiringSince {
                out += ",\"keepFiringSince\":\"\(Self.time(since))\""
            }
            out += ",\"value\":\"\(GoFloatFormat.exponential(alert.value))\"}"
        }
        out += "]}}"
        return Array(out.utf8)
    }

    /// The error envelope: `{"status":"error","errorType":TYPE,"error":MESSAGE}`.
    public static func error(type: String, message: String) -> [UInt8] {
        Array(
            ("{\"status\":\"error\",\"errorType\":" + EventJSON.quote(type) + ",\"error\":"
                + EventJSON.quote(message) + "}").utf8)
    }

    /// Milliseconds as Prometheus writes a timestamp: whole seconds, then `.` and three digits unless they are 0.
    public static func timestamp(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = magnitude % 1000
        guard fraction != 0 else { return sign + String(magnitude / 1000) }
        let digits = String(fraction)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// `2026-12-06T00:42:37.123Z`: RFC 3339 in UTC with the milliseconds, as Go writes a `time.Time` (trailing
    /// zeros of the fraction dropped).
    static func time(_ milliseconds: Int64) -> String {
        let floorSeconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let base = RFC3339.seconds(
            unixNanoseconds: floorSeconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue)
        let fraction = milliseconds - floorSeconds * 1000
        guard fraction != 0 else { return base }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return String(base.dropLast()) + "." + digits + "Z"
    }

    private static func sample(time: Int64, value: Double, into out: inout String) {
        out += "[" + Self.timestamp(time) + ",\"" + GoFloatFormat.fixed(value) + "\"]"
    }

    private static func labels(_ labels: Labels, into out: inout String) {
        out += "{"
        for (index, pair) in labels.pairs.enumerated() {
            if index > 0 { out += "," }
            out += EventJSON.quote(pair.name) + ":" + EventJSON.quote(pair.value)
        }
        out += "}"
    }

    private static func notes(warnings: [String], infos: [String], into out: inout String) {
        if !warnings.isEmpty { out += ",\"warnings\":[" + warnings.map(EventJSON.quote).joined(separator: ",") + "]" }
        if !infos.isEmpty { out += ",\"infos\":[" + infos.map(EventJSON.quote).joined(separator: ",") + "]" }
    }
}
