import Alerting
import Foundation
import OAuthTopRuntime
import Primitives
import Telemetry
import Testing

/// The daemon's answers to Prometheus's query API, from its own evaluator: the same values as the dashboard's
/// in-process source, Prometheus's parameter forms and its error envelope with 400 `bad_data` / 422 `execution`.
@Suite("Prometheus API endpoint")
struct PrometheusAPIEndpointTests {
    static let start: Int64 = 1_700_000_000_000

    /// `x{a="1"}` and `x{a="2"}` counting up once a second for 60 s.
    static func collector() -> TelemetryCollector {
        let collector = TelemetryCollector()
        let one = collector.makeCounter(label: "x_total", dimensions: [("a", "1")])
        let two = collector.makeCounter(label: "x_total", dimensions: [("a", "2")])
        for second in 0...60 {
            one.increment(by: 1)
            two.increment(by: 2)
            collector.sample(at: Self.start + Int64(second) * 1000)
        }
        return collector
    }

    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(FormEncoding.encode(pairs).utf8)
    }

    static func envelope(_ reply: SocketReply) -> (type: String?, message: String?) {
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
        return (object?["errorType"] as? String, object?["error"] as? String)
    }

    @Test("query_range answers what the in-process source computes, in Prometheus's JSON")
    func queryRange() async throws {
        let collector = Self.collector()
        let endpoint = PrometheusAPIEndpoint(source: collector)
        let query = "sum by (a) (increase(x_total[10s]))"
        let reply = endpoint.answer(
            .queryRange, query: [],
            form: Self.form([
                ("query", query), ("start", "1700000020"), ("end", "1700000050.000"), ("step", "10s"),
            ])
        )
        #expect(reply.status == 200 && reply.outcome == "success")
        let decoded = try PrometheusAPIDecoder.query(reply.body)
        let expected = try EvaluatorQuerySource(source: collector)
            .queryRange(query, start: Self.start + 20_000, end: Self.start + 50_000, step: 10_000)
        #expect(decoded.result == .matrix(expected))
        #expect(expected.count == 2 && expected[0].points.count == 4)
    }

    @Test("query answers a vector, a scalar or a string at `time` (RFC 3339 or seconds); the form wins over the URL")
    func instant() throws {
        let endpoint = PrometheusAPIEndpoint(source: Self.collector())
        let vector = endpoint.answer(
            .query, query: Array("query=x_total&time=1".utf8),
            form: Self.form([("time", "2023-11-14T22:13:40Z")])
        )
        #expect(vector.status == 200)
        let result = try PrometheusAPIDecoder.query(vector.body).result
        #expect(
            result
                == .vector(
                    [
                        VectorElement(labels: Labels(["__name__": "x_total", "a": "1"]), value: 21),
                        VectorElement(labels: Labels(["__name__": "x_total", "a": "2"]), value: 42),
                    ], time: Self.start + 20_000))
        let scalar = endpoint.answer(.query, query: Array("query=1%2F0&time=10".utf8), form: [])
        #expect(try PrometheusAPIDecoder.query(scalar.body).result == .scalar(.infinity, time: 10_000))
        let string = endpoint.answer(.query, query: Array("query=%22hi%22&time=10.5".utf8), form: [])
        #expect(try PrometheusAPIDecoder.query(string.body).result == .string("hi", time: 10_500))
    }

    @Test(
        "bad parameters answer 400 bad_data with Prometheus's message; an evaluation failure 422 execution",
        arguments: [
            (
                "query_range", "query=x_total&start=x&end=1&step=1", 400, "bad_data",
                #"invalid parameter "start": cannot parse "x" to a valid timestamp"#
            ),
            (
                "query_range", "query=x_total&start=2&end=1&step=1", 400, "bad_data",
                #"invalid parameter "end": end timestamp must not be before start time"#
            ),
            (
                "query_range", "query=x_total&start=1&end=2&step=0", 400, "bad_data",
                #"invalid parameter "step": zero or negative query resolution step widths are not accepted"#
            ),
            (
                "query_range", "query=x_total&start=1&end=2&step=soon", 400, "bad_data",
                #"invalid parameter "step": cannot parse "soon" to a valid duration"#
            ),
            (
                "query_range", "query=x_total&start=0&end=100000&step=1", 400, "bad_data",
                "exceeded maximum resolution of 11,000 points per timeseries"
            ),
            (
                "query_range", "query=x_total&start=1e300&end=1e301&step=1", 400, "bad_data",
                #"invalid parameter "start""#
            ),
            (
                "query_range", "query=sum(x_total&start=1&end=2&step=1", 400, "bad_data",
                #"invalid parameter "query": 1:"#
            ),
            (
                "query_range", "query=%22s%22&start=1&end=2&step=1", 400, "bad_data",
                #"invalid expression type "string" for range query"#
            ),
            ("query", "query=", 400, "bad_data", #"invalid parameter "query""#),
            ("query", "query=x_total&timeout=never", 400, "bad_data", #"invalid parameter "timeout""#),
            ("query", "query=%ZZ", 400, "bad_data", "the URL's query is not valid"),
            ("query", "query=sum+by+(a)+(x_total)+%2F+on()+x_total&time=1700000030", 422, "execution", ""),
        ] as [(String, String, Int, String, String)]
    )
    func failures(route: String, query: String, status: Int, type: String, message: String) throws {
        let endpoint = PrometheusAPIEndpoint(source: Self.collector())
        let reply = endpoint.answer(
            try #require(PrometheusAPIRoute(rawValue: route)), query: Array(query.utf8), form: [])
        #expect(reply.status == status)
        #expect(reply.outcome == type)
        let (errorType, error) = Self.envelope(reply)
        #expect(errorType == type)
        #expect(error.map { message.isEmpty ? !$0.isEmpty : $0.contains(message) } == true, "\(error ?? "no message")")
        let decoded = PrometheusAPIDecoder.error(reply.body)
        #expect(decoded?.errorType == type)
    }

    @Test("alerts lists the pending and firing alerts as Prometheus does")
    func alerts() throws {
        let alerts = [
            Alert(
                labels: Labels(["alertname": "A", "severity": "critical"]), annotations: ["summary": "s"],
                state: .firing, value: 1, activeAt: Self.start),
            Alert(labels: Labels(["alertname": "B"]), state: .inactive, value: 0, activeAt: Self.start),
        ]
        let endpoint = PrometheusAPIEndpoint(source: TelemetryCollector(), alerts: { alerts })
        let reply = endpoint.answer(.alerts, query: [], form: [])
        #expect(reply.status == 200)
        let decoded = try PrometheusAPIDecoder.alerts(reply.body).alerts
        #expect(decoded.map(\.name) == ["A"])
        #expect(decoded.first?.annotations == ["summary": "s"] && decoded.first?.activeAt == Self.start)
    }
}
