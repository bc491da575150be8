import Foundation
import Hummingbird
import NIOCore

/// The proxy's own error answers: JSON `{"error": "...", "error_description": "...", "proxy": "..."}` in the
/// style of RFC 6749 §5.2, never with a token, a header value or a body in them.
enum ProxyErrorAnswer {
    static func make(
        status: Int, error: String, description: String, proxy: String, fields extra: HTTPFields = HTTPFields(),
        more: [(String, String)] = []
    ) -> ProxyLocalAnswer {
        var json = "{\"error\":\(EventJSON.quote(error)),\"error_description\":\(EventJSON.quote(description))"
        json += ",\"proxy\":\(EventJSON.quote(proxy))"
        for (key, value) in more { json += ",\(EventJSON.quote(key)):\(value)" }
        json += "}"
        var fields = extra
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(json.utf8.count)
        fields[.cacheControl] = "no-store"
        return ProxyLocalAnswer(status: HTTPResponse.Status(code: status), fields: fields, body: ByteBuffer(string: json))
    }
}

extension ProxyLocalAnswer {
    /// The Hummingbird response.
    var response: Response {
        // An empty body without `Content-Length` (a cached answer to a HEAD whose upstream sent none) gets no
        // `Content-Length: 0`, which would tell a HEAD's client the wrong length: NIO frames it.
        if self.body.readableBytes == 0, self.fields[.contentLength] == nil {
            return Response(status: self.status, headers: self.fields, body: ResponseBody { try await $0.finish(nil) })
        }
        return Response(status: self.status, headers: self.fields, body: ResponseBody(byteBuffer: self.body))
    }
}
