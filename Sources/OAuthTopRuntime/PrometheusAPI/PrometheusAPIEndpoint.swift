import Alerting
import Foundation
import Primitives
import Synchronization

/// Answers Prometheus's HTTP API v1 (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/alerts`) from the program's
/// own rule evaluator, so that one client (``PrometheusQueryClient``) reads a daemon's socket as it reads a
/// Prometheus server, and `curl --unix-socket` or Grafana's Prometheus data source can too.
///
/// Parameters come from the URL's query and, for `POST`, a form body (whose values win), as Prometheus reads them:
/// times as float seconds or RFC 3339, steps as float seconds or durations (`15s`, `1m30s`). A missing or malformed
/// parameter or a query that does not parse answers 400 `bad_data`; a query that fails on the data answers 422
/// `execution`; both in Prometheus's error envelope. It never traps on input.
///
/// Semantics are the evaluator's (Prometheus 3, no metric-name aliases); an instant query of a range selector
/// (`foo[5m]`), which Prometheus answers with a matrix, answers 422 here.
public final class PrometheusAPIEndpoint: Sendable {
    private let evaluator: Evaluator
    private let alerts: @Sendable () -> [Alert]
    private let clock: WallClock
    /// Parsed expressions by text: dashboards ask the same few every second.
    private let parsed = Mutex<[String: RuleExpression]>([:])

    /// The most steps a range query may have per series, as Prometheus limits them.
    public static let maxPoints: Int64 = 11_000

    /// Creates the endpoint.
    ///
    /// - Parameters:
    ///   - source: The series queries read: the collector, with the rule output (`ALERTS`, recording rules) when
    ///     rules are evaluated (``AlertEvaluationService/seriesSource``).
    ///   - alerts: The active alerts, for `/api/v1/alerts`.
    ///   - clock: The default time of an instant query.
    public init(
        source: any SeriesSource,
        alerts: @escaping @Sendable () -> [Alert] = { [] },
        clock: WallClock = .system
    ) {
        self.evaluator = Evaluator(source: source)
        self.alerts = alerts
        self.clock = clock
    }

    /// Answers `route` with the request's URL query and form body, both `application/x-www-form-urlencoded` (a
    /// value of the form wins over one of the query).
    ///
    /// - Returns: The reply; 400 `bad_data` when either is not valid percent-encoded UTF-8.
    public func answer(_ route: PrometheusAPIRoute, query: [UInt8], form: [UInt8]) -> SocketReply {
        guard let fromQuery = FormEncoding.decode(query) else {
            return Self.reply(.badData("the URL's query is not valid application/x-www-form-urlencoded UTF-8"))
        }
        guard let fromForm = FormEncoding.decode(form) else {
            return Self.reply(.badData("the form body is not valid application/x-www-form-urlencoded UTF-8"))
        }
        return self.answer(route, parameters: fromQuery + fromForm)
    }

    /// Answers `route` with the request's parameters.
    ///
    /// - Parameters:
    ///   - route: Which endpoint.
    ///   - parameters: The URL query's pairs, then the form body's (a later pair of the same name wins).
    /// - Returns: The reply; its `outcome` is `success`, `bad_data` or `execution`.
    public func answer(_ route: PrometheusAPIRoute, parameters: [(name: String, value: String)]) -> SocketReply {
        var values: [String: String] = [:]
        for (name, value) in parameters { values[name] = value }
        do throws(Failure) {
            switch route {
            case .alerts:
                let alerts = self.alerts().filter { $0.state != .inactive }
                return SocketReply(status: 200, body: PrometheusAPIEncoder.alerts(alerts), outcome: "success")
            case .query:
                var time = self.clock.nowMilliseconds()
                if let text = values["time"] { time = try Self.time(text, "time") }
                try Self.checkTimeout(values["timeout"])
                let expression = try self.expression(values["query"] ?? "")
                let result: PrometheusQueryResult
                do {
                    switch try self.evaluator.evaluate(expression, at: time) {
                    case .vector(let elements): result = .vector(elements, time: time)
                    case .scalar(let value): result = .scalar(value, time: time)
                    case .string(let text): result = .string(text, time: time)
                    }
                } catch {
                    throw Failure.execution(error.message)
                }
                return SocketReply(status: 200, body: PrometheusAPIEncoder.query(result), outcome: "success")
            case .queryRange:
                let start = try Self.time(values["start"] ?? "", "start")
                let end = try Self.time(values["end"] ?? "", "end")
                guard end >= start else {
                    throw Failure.badData("invalid parameter \"end\": end timestamp must not be before start time")
                }
                let step = try Self.duration(values["step"] ?? "", "step")
                guard step > 0 else {
                    throw Failure.badData(
                        "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. "
                            + "Try a positive integer")
                }
                guard (end - start) / step <= Self.maxPoints else {
                    throw Failure.badData(
                        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                            + "resolution (?step=XX)")
                }
                try Self.checkTimeout(values["timeout"])
                let expression = try self.expression(values["query"] ?? "")
                guard expression.valueType == .vector || expression.valueType == .scalar else {
                    throw Failure.badData(
                        "invalid parameter \"query\": invalid expression type \"\(expression.valueType.rawValue)\" "
                            + "for range query, must be Scalar or instant Vector")
                }
                let series: [RangeSeries]
                do {
                    series = try self.evaluator.evaluateRange(expression, start: start, end: end, step: step)
                } catch {
                    throw Failure.execution(error.message)
                }
                return SocketReply(status: 200, body: PrometheusAPIEncoder.query(.matrix(series)), outcome: "success")
            }
        } catch {
            return Self.reply(error)
        }
    }

    private static func reply(_ failure: Failure) -> SocketReply {
        SocketReply(
            status: failure.status, body: PrometheusAPIEncoder.error(type: failure.type, message: failure.message),
            outcome: failure.type
        )
    }

    /// A request Prometheus would refuse: its `errorType`, message and HTTP status.
    struct Failure: Error {
        var type: String
        var message: String
        var status: Int

        static func badData(_ message: String) -> Failure { Failure(type: "bad_data", message: message, status: 400) }
        static func execution(_ message: String) -> Failure {
            Failure(type: "execution", message: message, status: 422)
        }
    }

    private func expression(_ text: String) throws(Failure) -> RuleExpression {
        if let expression = self.parsed.withLock({ $0[text] }) { return expression }
        let expression: RuleExpression
        do {
            expression = try RuleExpression.parse(text)
        } catch {
            throw .badData("invalid parameter \"query\": \(error.line):\(error.column): parse error: \(error.message)")
        }
        self.parsed.withLock { parsed in
            if parsed.count > 256 { parsed.removeAll() }
            parsed[text] = expression
        }
        return expression
    }

    /// A time as Prometheus's `parseTime` reads it: float seconds (to the millisecond) or RFC 3339.
    static func time(_ text: String, _ name: String) throws(Failure) -> Int64 {
        if let seconds = Double(text), seconds.isFinite {
            // Years up to about 300,000 either side of 1970: step arithmetic stays far from overflow.
            guard seconds.magnitude <= 1e13 else {
                throw .badData(
                    "invalid parameter \"\(name)\": cannot parse \"\(Self.shown(text))\" to a valid timestamp")
            }
            return Int64((seconds * 1000).rounded())
        }
        if let nanoseconds = RFC3339.parse(text) {
            return nanoseconds / 1_000_000
        }
        throw .badData("invalid parameter \"\(name)\": cannot parse \"\(Self.shown(text))\" to a valid timestamp")
    }

    /// A duration as Prometheus's `parseDuration` reads it: float seconds or a duration such as `1m30s`, in
    /// milliseconds.
    static func duration(_ text: String, _ name: String) throws(Failure) -> Int64 {
        if let seconds = Double(text), seconds.isFinite {
            guard seconds.magnitude <= 1e13 else {
                throw .badData(
                    "invalid parameter \"\(name)\": cannot parse \"\(Self.shown(text))\" to a valid duration. "
                        + "It overflows int64")
            }
            return Int64((seconds * 1000).rounded())
        }
        if let milliseconds = PrometheusDuration.milliseconds(text) {
            return milliseconds
        }
        throw .badData("invalid parameter \"\(name)\": cannot parse \"\(Self.shown(text))\" to a valid duration")
    }

    /// `timeout` is checked as Prometheus checks it; evaluation in process needs no deadline of its own.
    private static func checkTimeout(_ text: String?) throws(Failure) {
        guard let text, !text.isEmpty else { return }
        _ = try Self.duration(text, "timeout")
    }

    private static func shown(_ text: String) -> String {
        text.count > 64 ? String(text.prefix(64)) + "..." : text
    }
}
