import OAuthTopRuntime
import Telemetry

/// Feeds bytes to the Prometheus HTTP API decoder (`PrometheusAPIDecoder`: query answers, alerts answers, the error
/// envelope), as `watch --prometheus` reads a server's answers, and to the daemon's `/api/v1/...` endpoint as a URL
/// query and a form body (parameters, times, durations, the query's expression).
///
/// Every input must decode or throw a `PrometheusAPIError`, and the endpoint must answer 200, 400 or 422.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrometheusAPI(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? PrometheusAPIDecoder.query(bytes)
    _ = try? PrometheusAPIDecoder.alerts(bytes)
    _ = PrometheusAPIDecoder.error(bytes)
    // Small inputs only: a range query's evaluation is bounded by the 11,000-point limit, not by the fuzzer.
    if bytes.count <= 512 {
        for route in PrometheusAPIRoute.allCases {
            let reply = Endpoint.shared.answer(route, query: bytes, form: bytes)
            precondition([200, 400, 422].contains(reply.status), "\(route) answered \(reply.status)")
        }
    }
    return 0
}

enum Endpoint {
    /// One endpoint over an empty collector for every run.
    static let shared = PrometheusAPIEndpoint(source: TelemetryCollector())
}
