import Foundation
import HTTPTypes
import NIOCore

/// What a proxy's pipeline tells its hooks about a request: never the body, and the fields after the
/// proxy removed the client's credentials and hop-by-hop fields (the critical header is still there).
public struct ProxyRequestSummary: Sendable {
    /// The proxy's name.
    public var proxy: String
    public var method: HTTPRequest.Method
    /// The path under the listener, as received, without the query.
    public var path: Substring
    /// The query without `?`, as received.
    public var query: Substring?
    /// The client's fields as they will be forwarded, plus the critical header if it sent one. (Made when asked for a
    /// request the wire path read: most hooks decide most requests without them.)
    public var fields: HTTPFields {
        switch self.source {
        case .made(let fields): fields
        case .wire(let wire): wire.httpFields
        }
    }

    enum Source: Sendable {
        case made(HTTPFields)
        case wire(WireRequestFields)
    }

    let source: Source

    init(proxy: String, method: HTTPRequest.Method, path: Substring, query: Substring?, source: Source) {
        self.proxy = proxy
        self.method = method
        self.path = path
        self.query = query
        self.source = source
    }
}

/// An answer the proxy gives without asking the upstream (a cached response, a shed request's 429).
public struct ProxyLocalAnswer: Sendable {
    public var status: HTTPResponse.Status
    public var fields: HTTPFields
    public var body: ByteBuffer

    public init(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.fields = fields
        self.body = body
    }
}

/// Receives the bytes of a response body as they pass to the client (the response cache fills itself so).
public protocol ProxyBodyTee: Sendable {
    /// A chunk, in order.
    func append(_ chunk: ByteBuffer)
    /// The body ended: `complete` is false when it broke off (the client left, the upstream failed).
    func finish(complete: Bool)
}

/// The seam for quota awareness (`Proxy/Quota/`): two places in the pipeline where a request may be answered
/// locally and where a response is observed. The pipeline calls them for every request that passed the
/// proxy's own checks (access, request guard); the default does nothing.
///
/// 1. ``answerLocally(_:)`` before forwarding: after admission and the request guard, before the body is
///    read, the token is fetched or a rate-limit block is waited for. A non-nil answer is returned to the
///    client as is (counted in `oauth_proxy_requests_total`). It is synchronous: the proxy's event-loop fast
///    path calls it on the connection's loop, so it must decide from memory, without waiting.
/// 2. ``observe(_:status:fields:)`` after the upstream's final response head (after any auth replay or
///    rate-limit retry): the fields are the upstream's (hop-by-hop removed); a returned tee sees the body's
///    chunks as they reach the client.
///
/// ``isCritical(_:)`` says whether a request is critical (it waits out a rate-limit block instead of being
/// refused).
///
/// ``isPassive`` says the hooks never answer locally and observe nothing: the proxy's wire path then builds no
/// summary for a request it forwards at once (the criticality is asked only of a request that has to wait).
///
/// ``observedResponseFields`` says which response fields ``observe(_:status:fields:)`` reads, when it reads only some:
/// the wire path then makes only those (a response's fields are bytes there until asked for).
public protocol ProxyHooks: Sendable {
    func answerLocally(_ request: ProxyRequestSummary) -> ProxyLocalAnswer?
    func observe(_ request: ProxyRequestSummary, status: HTTPResponse.Status, fields: HTTPFields) -> (any ProxyBodyTee)?
    func isCritical(_ request: ProxyRequestSummary) -> Bool
    var isPassive: Bool { get }
    var observedResponseFields: ResponseFieldSelection? { get }
}

extension ProxyHooks {
    public var isPassive: Bool { false }
    /// All of them.
    public var observedResponseFields: ResponseFieldSelection? { nil }
}

/// The response fields a hook reads: those named in ``names`` and those whose names contain one of ``containing``
/// (lowercase, compared ignoring case).
public struct ResponseFieldSelection: Sendable, Hashable {
    public var names: Set<String>
    public var containing: [String]

    public init(names: Set<String>, containing: [String] = []) {
        self.names = Set(names.map { $0.lowercased() })
        self.containing = containing.map { $0.lowercased() }
    }

    /// Whether a field named `lowercaseName` is read.
    public func selects(_ lowercaseName: String) -> Bool {
        self.names.contains(lowercaseName) || self.containing.contains { lowercaseName.utf8.contains(substring: $0.utf8) }
    }
}

extension Collection where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(substring needle: some Collection<UInt8>) -> Bool {
        guard let first = needle.first, self.count >= needle.count else { return needle.isEmpty }
        var start = self.startIndex
        while let found = self[start...].firstIndex(of: first) {
            if self[found...].starts(with: needle) { return true }
            start = self.index(after: found)
        }
        return false
    }
}

/// No quota awareness: forward everything; a request is critical when its critical header says `critical`.
public struct NoProxyHooks: ProxyHooks {
    /// The header that marks a critical request (`OAuthtop-Priority: critical`).
    public var criticalHeader: String

    public init(criticalHeader: String = "OAuthtop-Priority") {
        self.criticalHeader = criticalHeader
    }

    public func answerLocally(_ request: ProxyRequestSummary) -> ProxyLocalAnswer? { nil }

    public var isPassive: Bool { true }

    public func observe(_ request: ProxyRequestSummary, status: HTTPResponse.Status, fields: HTTPFields) -> (any ProxyBodyTee)? {
        nil
    }

    public func isCritical(_ request: ProxyRequestSummary) -> Bool {
        guard let name = HTTPField.Name(self.criticalHeader) else { return false }
        return request.fields[values: name].contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "critical" }
    }
}
