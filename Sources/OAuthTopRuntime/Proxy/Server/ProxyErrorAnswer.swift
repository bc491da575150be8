import Foundation
import HTTPTypes
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
