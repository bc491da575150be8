import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An answer of the demo API, with what it means for statistics and the request log.
struct APIAnswer: Sendable {
    var response: Response
    var outcome: DemoAPIOutcome
    /// The `Retry-After` it carries, if any.
    var retryAfter: Duration?
    /// The quota reading it reports; `nil`: the current one, unused.
    var quota: QuotaReading?
    var model: String?
    var tokenID: String?
}

/// The demo API's JSON bodies.
enum APIResponses {
    /// The body of an error answer: a short code and a message that never contains a token or a prompt.
    struct ErrorBody: Encodable {
        var error: String
        var message: String
    }

    /// A JSON answer with the given `Cache-Control`.
    static func json(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, cacheControl: String = "no-store",
        headers extra: HTTPFields = [:]
    ) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings and integers: encoding cannot fail, but never trap on it.
        let bytes = (try? encoder.encode(value)).map { Array($0) } ?? Array(#"{"error":"server_error"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        headers[.cacheControl] = cacheControl
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An error answer: `{"error": code, "message": message}`.
    static func error(
        _ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]
    ) -> Response {
        self.json(ErrorBody(error: code, message: message), status: status, headers: headers)
    }
}
