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
        var json = "{\"error\":\(Self.quote(error)),\"error_description\":\(Self.quote(description))"
        json += ",\"proxy\":\(Self.quote(proxy))"
        for (key, value) in more { json += ",\(Self.quote(key)):\(value)" }
        json += "}"
        var fields = extra
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(json.utf8.count)
        fields[.cacheControl] = "no-store"
        return ProxyLocalAnswer(status: HTTPResponse.Status(code: status), fields: fields, body: ByteBuffer(string: json))
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension ProxyLocalAnswer {
    /// The Hummingbird response.
    var response: Response {
        Response(status: self.status, headers: self.fields, body: ResponseBody(byteBuffer: self.body))
    }
}
