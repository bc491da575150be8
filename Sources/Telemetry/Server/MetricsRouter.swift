import Hummingbird

/// Builds the router of the `/metrics` listener.
///
/// `GET /metrics` answers the collector's ``TelemetryCollector/exposition()`` with
/// `Content-Type: text/plain; version=0.0.4; charset=utf-8`; every other path answers 404.
///
/// - Parameter collector: The collector to expose.
/// - Returns: A router for a Hummingbird `Application`.
public func makeMetricsRouter(collector: TelemetryCollector) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/metrics") { _, _ -> Response in
        Response(
            status: .ok,
            headers: [.contentType: PrometheusFormat.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: collector.exposition()))
        )
    }
    return router
}
