import Alerting
import Dashboard
import Foundation
import OAuthTopRuntime
import Telemetry
import Testing

/// Prometheus's HTTP API v1 JSON: answers captured from Debian's Prometheus 2.42 decode, what the encoder writes
/// decodes back to the same values, and bad input gets an error naming where it is wrong.
@Suite("Prometheus API JSON")
struct PrometheusAPICodecTests {
    /// Captured from `prometheus` 2.42 scraping itself (`up`), with two alert rules.
    enum Captured {
        static let matrix = #"""
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"127.0.0.1:19191","job":"self"},"values":[[1796519112,"1"],[1796519114,"1"],[1796519116,"1"],[1796519118,"1"]]}]}}
            """#
        static let vector = #"""
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"127.0.0.1:19191","job":"self"},"value":[1796519112.123,"1"]}]}}
            """#
        static let scalarInf = #"{"status":"success","data":{"resultType":"scalar","result":[1796519112.264,"+Inf"]}}"#
        static let string = #"{"status":"success","data":{"resultType":"string","result":[1796519112.29,"hi"]}}"#
        static let nan =
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1796519118,"NaN"]}]}}"#
        static let parseError = #"""
            {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis"}
            """#
        static let execution = #"""
            {"status":"error","errorType":"execution","error":"found duplicate series for the match group {} on the right hand-side of the operation: [{__name__=\"up\", a=\"b\", instance=\"127.0.0.1:19191\", job=\"self\"}, {__name__=\"up\", instance=\"127.0.0.1:19191\", job=\"self\"}];many-to-many matching not allowed: matching labels must be unique on one side"}
            """#
        static let alerts = #"""
            {"status":"success","data":{"alerts":[{"labels":{"alertname":"AlwaysFiring","severity":"critical"},"annotations":{"summary":"always fires"},"state":"firing","activeAt":"2026-12-06T01:05:04.632510205Z","value":"1e+00"},{"labels":{"alertname":"Pending","instance":"127.0.0.1:19191","job":"self","severity":"warning"},"annotations":{},"state":"pending","activeAt":"2026-12-06T01:05:10.632510205Z","value":"1e+00"}]}}
            """#
    }

    static let up = Labels(["__name__": "up", "instance": "127.0.0.1:19191", "job": "self"])

    @Test("a captured matrix decodes into series with millisecond points")
    func matrix() throws {
        let response = try PrometheusAPIDecoder.query(Array(Captured.matrix.utf8))
        let expected = RangeSeries(
            labels: Self.up,
            points: [1_796_519_112_000, 1_796_519_114_000, 1_796_519_116_000, 1_796_519_118_000].map {
                RangeSeries.Point(time: $0, value: 1)
            }
        )
        #expect(response.result == .matrix([expected]))
        #expect(response.warnings.isEmpty && response.infos.isEmpty)
    }

    @Test("captured vector, scalar, string and NaN answers decode; a scalar is one unlabelled element")
    func instants() throws {
        #expect(
            try PrometheusAPIDecoder.query(Array(Captured.vector.utf8)).result
                == .vector([VectorElement(labels: Self.up, value: 1)], time: 1_796_519_112_123)
        )
        let scalar = try PrometheusAPIDecoder.query(Array(Captured.scalarInf.utf8)).result
        #expect(scalar == .scalar(.infinity, time: 1_796_519_112_264))
        #expect(scalar.elements == [VectorElement(labels: .empty, value: .infinity)])
        #expect(
            try PrometheusAPIDecoder.query(Array(Captured.string.utf8)).result == .string("hi", time: 1_796_519_112_290)
        )
        let nan = try PrometheusAPIDecoder.query(Array(Captured.nan.utf8)).result.elements
        #expect(nan.count == 1 && nan[0].value.isNaN && nan[0].labels == .empty)
    }

    @Test("error envelopes become server errors with Prometheus's errorType and message")
    func errors() {
        for (text, type) in [(Captured.parseError, "bad_data"), (Captured.execution, "execution")] {
            do {
                _ = try PrometheusAPIDecoder.query(Array(text.utf8))
                Issue.record("an error envelope decoded as a result")
            } catch {
                #expect(error.code == .server)
                #expect(error.errorType == type)
            }
            #expect(PrometheusAPIDecoder.error(Array(text.utf8))?.errorType == type)
        }
        #expect(PrometheusAPIDecoder.error(Array(Captured.matrix.utf8)) == nil)
        #expect(PrometheusAPIDecoder.error(Array("<html>".utf8)) == nil)
    }

    @Test("captured alerts decode into alerts and dashboard rows, firing first")
    func alerts() throws {
        let response = try PrometheusAPIDecoder.alerts(Array(Captured.alerts.utf8))
        #expect(response.alerts.count == 2)
        let firing = response.alerts[0]
        #expect(firing.name == "AlwaysFiring" && firing.state == .firing && firing.value == 1)
        #expect(firing.annotations == ["summary": "always fires"])
        #expect(firing.activeAt == 1_796_519_104_632)
        let rows = response.alerts.map(AlertRow.init)
        #expect(
            rows[0]
                == AlertRow(
                    name: "AlwaysFiring", state: .firing, severity: "critical",
                    since: 1_796_519_104_632_000_000, summary: "always fires"))
        #expect(rows[1].state == .pending && rows[1].severity == "warning")
        #expect(rows[1].summary.contains("instance=\"127.0.0.1:19191\""), "no summary: the labels name the instance")
    }

    @Test("what the encoder writes decodes to the same values (matrix, vector, scalar, string, alerts)")
    func roundTrip() throws {
        let labels = Labels(
            ["__name__": "oauth_token_expires_in_seconds", "provider": "git\"hub\\\n", "é": "x"]
                .filter { Labels.isValidLabelName($0.key) })
        let values: [Double] = [0, -0.0, 1, 0.5, 1e-7, 1e21, -3.25, .infinity, -.infinity, 123_456_789.125]
        let series = [
            RangeSeries(
                labels: labels,
                points: values.enumerated().map {
                    RangeSeries.Point(time: 1_700_000_000_000 + Int64($0.offset) * 1500 + 7, value: $0.element)
                }),
            RangeSeries(labels: .empty, points: [RangeSeries.Point(time: -1234, value: 2)]),
        ]
        let results: [PrometheusQueryResult] = [
            .matrix(series),
            .vector([VectorElement(labels: labels, value: 42), VectorElement(labels: .empty, value: -1)], time: 5),
            .scalar(1e-300, time: 1_700_000_000_001),
            .string("a \"quoted\"\nline", time: 0),
        ]
        for result in results {
            let bytes = PrometheusAPIEncoder.query(result, warnings: ["w"], infos: ["i"])
            let decoded = try PrometheusAPIDecoder.query(bytes)
            #expect(decoded.result == result)
            #expect(decoded.warnings == ["w"] && decoded.infos == ["i"])
        }
        let nan = try PrometheusAPIDecoder.query(PrometheusAPIEncoder.query(.scalar(.nan, time: 1)))
        guard case .scalar(let value, 1) = nan.result else { Issue.record("not a scalar"); return }
        #expect(value.isNaN)

        var alert = Alert(
            labels: Labels(["alertname": "TokenExpiring", "provider": "github", "severity": "critical"]),
            annotations: ["summary": "github's token expires in 30s"], state: .firing, value: 0.25,
            activeAt: 1_700_000_000_123
        )
        alert.keepFiringSince = 1_700_000_100_000
        let decoded = try PrometheusAPIDecoder.alerts(PrometheusAPIEncoder.alerts([alert])).alerts
        #expect(decoded.count == 1)
        #expect(decoded.first?.labels == alert.labels && decoded.first?.annotations == alert.annotations)
        #expect(decoded.first?.activeAt == alert.activeAt && decoded.first?.keepFiringSince == alert.keepFiringSince)
        #expect(decoded.first?.value == 0.25 && decoded.first?.state == .firing)
    }

    @Test("the encoder writes numbers and times as Prometheus does")
    func formats() {
        let text = String(
            decoding: PrometheusAPIEncoder.query(
                .matrix([
                    RangeSeries(
                        labels: Labels(["a": "b"]),
                        points: [
                            RangeSeries.Point(time: 1_435_781_430_781, value: 1e21),
                            RangeSeries.Point(time: 1_435_781_431_000, value: 1e-7),
                            RangeSeries.Point(time: 1_435_781_431_050, value: .nan),
                        ])
                ])
            ), as: UTF8.self)
        #expect(
            text == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":"#
                + #"[[1435781430.781,"1000000000000000000000"],[1435781431,"0.0000001"],[1435781431.050,"NaN"]]}]}}"#)
        #expect(
            String(decoding: PrometheusAPIEncoder.error(type: "bad_data", message: "x \"y\""), as: UTF8.self)
                == #"{"status":"error","errorType":"bad_data","error":"x \"y\""}"#)
        let alerts = String(
            decoding: PrometheusAPIEncoder.alerts([
                Alert(labels: Labels(["alertname": "A"]), state: .pending, value: 1234.5, activeAt: 1_796_519_104_630)
            ]), as: UTF8.self)
        #expect(alerts.contains(#""activeAt":"2026-12-06T01:05:04.63Z","value":"1.2345e+03""#), "\(alerts)")
    }

    @Test(
        "bad input gets an error that names where it is wrong",
        arguments: [
            ("not json", "not_json", nil),
            ("", "not_json", nil),
            ("[]", "bad_shape", "(top)"),
            (#"{"status":"ok"}"#, "bad_shape", "status"),
            (#"{"status":"success"}"#, "bad_shape", "data"),
            (#"{"status":"success","data":{"resultType":"table","result":[]}}"#, "bad_shape", "data.resultType"),
            (#"{"status":"success","data":{"resultType":"matrix","result":{}}}"#, "bad_shape", "data.result"),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a-b":"c"},"values":[]}]}}"#,
                "bad_shape", "data.result[0].metric"
            ),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}}"#,
                "bad_shape", "data.result[0].metric.a"
            ),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,1]]}]}}"#,
                "bad_shape", "data.result[0].values[1][1]"
            ),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1e300,"1"]]}]}}"#,
                "bad_shape", "data.result[0].values[0][0]"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1e999"]}]}}"#,
                "bad_shape", "data.result[0].value[1]"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e999,"1"]}]}}"#,
                "not_json", nil
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}"#,
                "bad_shape", "data.result[0].value"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#,
                "bad_shape", "data.result[0]"
            ),
            (#"{"status":"success","data":{"resultType":"scalar","result":["1","1"]}}"#, "bad_shape", "data.result[0]"),
            (
                #"{"status":"success","warnings":"w","data":{"resultType":"scalar","result":[1,"1"]}}"#,
                "bad_shape", "warnings"
            ),
            (#"{"status":"error","errorType":7}"#, "bad_shape", "errorType"),
        ] as [(String, String, String?)]
    )
    func badInput(text: String, code: String, path: String?) {
        do {
            _ = try PrometheusAPIDecoder.query(Array(text.utf8))
            Issue.record("\(text) decoded")
        } catch {
            #expect(error.code.description == code, "\(error)")
            #expect(error.path == path, "\(error)")
            if let path { #expect(error.description.contains(path)) }
        }
    }

    @Test("bad alerts get an error that names the alert and field")
    func badAlerts() {
        let cases: [(String, String)] = [
            (#"{"status":"success","data":{}}"#, "data.alerts"),
            (#"{"status":"success","data":{"alerts":[{"labels":{},"state":"burning"}]}}"#, "data.alerts[0].state"),
            (
                #"{"status":"success","data":{"alerts":[{"labels":{},"state":"firing","activeAt":"yesterday"}]}}"#,
                "data.alerts[0].activeAt"
            ),
            (
                #"{"status":"success","data":{"alerts":[{"labels":{},"annotations":{"s":[]},"state":"firing"}]}}"#,
                "data.alerts[0].annotations.s"
            ),
        ]
        for (text, path) in cases {
            do {
                _ = try PrometheusAPIDecoder.alerts(Array(text.utf8))
                Issue.record("\(text) decoded")
            } catch {
                #expect(error.path == path, "\(error)")
            }
        }
    }

    @Test("deep nesting and native histograms neither crash nor fail the whole answer")
    func deepAndHistograms() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: PrometheusAPIError.self) { try PrometheusAPIDecoder.query(Array(deep.utf8)) }
        let histograms = #"""
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"h"},"histograms":[[1,{"count":"1"}]]},{"metric":{"a":"f"},"values":[[1,"2"]]}]}}
            """#
        let response = try PrometheusAPIDecoder.query(Array(histograms.utf8))
        #expect(
            response.result == .matrix([RangeSeries(labels: Labels(["a": "f"]), points: [.init(time: 1000, value: 2)])])
        )
        #expect(response.warnings.count == 1)
    }
}
