import Hummingbird
import Primitives

/// The body of `GET /api/v1/stream`: server-sent events (the WHATWG HTML standard's `text/event-stream`), one
/// `data:` event every interval, each written and flushed as it is produced, as an LLM API streams tokens.
///
/// Event `i` (from 1) is `id: i` and `data: {"index":i,"events":N,"sent_ms":T}`, where `T` is the provider's
/// uptime in milliseconds when it was written, so a client can tell that events arrive as they are sent and
/// not all at the end. The first event is written at once; the stream ends after the last one.
struct EventStream: Sendable {
    let provider: DemoIdentityProvider
    let request: DemoStreamRequest

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let provider = self.provider
        let request = self.request
        let body = ResponseBody { writer in
            for index in 1...request.events {
                if index > 1 {
                    try await provider.clock.sleep(for: request.interval)
                }
                let sent = provider.elapsed().milliseconds
                let data = "{\"index\":\(index),\"events\":\(request.events),\"sent_ms\":\(sent)}"
                let event = "id: \(index)\ndata: \(data)\n\n"
                // Each write is flushed by Hummingbird's writer: the client sees the event now.
                try await writer.write(ByteBuffer(string: event))
                provider.state.withLock { $0.api.statistics.streamEvents += 1 }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
