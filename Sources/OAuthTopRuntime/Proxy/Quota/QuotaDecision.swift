import HTTPTypes
import NIOCore

/// What the proxy does with a request, by ``QuotaGuard/decide(method:path:headers:now:)``.
public enum QuotaDecision: Sendable {
    /// Forward it to the upstream.
    case forward
    /// Answer it with a fresh cached response (`200`, with `Age` and `OAuthtop-Cache: hit`); nothing is forwarded.
    case cached(LocalResponse)
    /// Refuse it: `429` with a JSON body saying why, and `Retry-After` when the quota's reset is known.
    case shed(LocalResponse)
}

/// A response the proxy answers itself, without the upstream.
public struct LocalResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    /// The body (empty for a `HEAD`).
    public var body: ByteBuffer
}

extension HTTPField.Name {
    /// `OAuthtop-Cache: hit` on responses served from the proxy's cache.
    public static let oauthtopCache = HTTPField.Name("OAuthtop-Cache")!
}
