import AsyncHTTPClient
import Foundation

/// Small HTTP calls the tests make to loopback servers (the child's /metrics, the identity provider).
enum LoopbackHTTP {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    /// GETs `url`, which must be on 127.0.0.1.
    static func get(_ url: String) async throws -> Response {
        try self.requireLoopback(url)
        let request = HTTPClientRequest(url: url)
        return try await self.execute(request)
    }

    /// POSTs a form to `url` (on 127.0.0.1) with HTTP Basic client authentication.
    static func postForm(_ url: String, form: [(String, String)], basicUser: String, password: String) async throws
        -> Response
    {
        try self.requireLoopback(url)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let credentials = Data("\(basicUser):\(password)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = form.map { "\(self.formEncode($0.0))=\(self.formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(Array(body.utf8))
        return try await self.execute(request)
    }

    private static func execute(_ request: HTTPClientRequest) async throws -> Response {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let body = String(decoding: buffer.readableBytesView, as: UTF8.self)
        return Response(status: Int(response.status.code), body: body)
    }

    private static func requireLoopback(_ url: String) throws {
        guard url.hasPrefix("http://127.0.0.1:") else { throw CLITestFailure("refusing a non-loopback URL: \(url)") }
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
