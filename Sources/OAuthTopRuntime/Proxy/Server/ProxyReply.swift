import HTTPTypes
import NIOCore
import NIOHTTP1

/// What the pipeline answers a request with: a local answer (an error, a cached response, a refusal), or
/// the upstream's response streamed through.
enum ProxyReply: Sendable {
    case local(ProxyLocalAnswer)
    /// The upstream's status and the fields for the client, its body, and who sees the body on the way.
    case upstream(status: Int, headers: HTTPHeaders, body: UpstreamBody, tee: (any ProxyBodyTee)?)

    var status: Int {
        switch self {
        case .local(let answer): Int(answer.status.code)
        case .upstream(let status, _, _, _): status
        }
    }
}

extension HTTPHeaders {
    /// NIO's headers from swift-http-types' fields.
    init(_ fields: HTTPFields) {
        self.init()
        self.reserveCapacity(fields.count)
        for field in fields { self.add(name: field.name.rawName, value: field.value) }
    }
}

extension HTTPFields {
    /// swift-http-types' fields from NIO's headers (names NIO's parser accepted are valid tokens).
    init(_ headers: HTTPHeaders) {
        self.init()
        self.reserveCapacity(headers.count)
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            self.append(HTTPField(name: name, value: header.value))
        }
    }
}
