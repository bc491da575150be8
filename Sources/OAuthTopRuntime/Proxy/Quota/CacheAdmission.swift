import HTTPTypes
import NIOCore

/// A response the cache will store once its body has arrived: the proxy appends each body chunk as it passes it on
/// to the client (a tee; the client's stream is not delayed), then hands it to ``QuotaGuard/store(_:now:)`` when
/// the body ended normally.
///
/// A body that grows beyond `max_body` is abandoned (``append(_:)`` returns `false`; the proxy stops teeing and
/// does not store).
public struct CacheAdmission: Sendable {
    let primary: CacheKey.Primary
    let request: HTTPFields
    let headers: HTTPFields
    let policy: CachePolicy.Admission
    let arrivedAt: Int64
    let maxBody: Int
    /// `HEAD` responses have no body (their `Content-Length` is the `GET` body's).
    let bodyless: Bool
    private(set) var body = ByteBuffer()
    /// Whether the body went beyond `max_body`.
    public private(set) var abandoned = false

    init(
        primary: CacheKey.Primary,
        request: HTTPFields,
        headers: HTTPFields,
        policy: CachePolicy.Admission,
        arrivedAt: Int64,
        maxBody: Int,
        bodyless: Bool
    ) {
        self.primary = primary
        self.request = request
        self.headers = headers
        self.policy = policy
        self.arrivedAt = arrivedAt
        self.maxBody = maxBody
        self.bodyless = bodyless
    }

    /// Appends a chunk of the body.
    ///
    /// - Returns: `false` once the body is larger than `max_body` (and from then on): stop teeing.
    @discardableResult
    public mutating func append(_ chunk: ByteBuffer) -> Bool {
        guard !self.abandoned else { return false }
        guard !self.bodyless else { return true }
        guard self.body.readableBytes + chunk.readableBytes <= self.maxBody else {
            self.abandoned = true
            self.body = ByteBuffer()
            return false
        }
        var chunk = chunk
        self.body.writeBuffer(&chunk)
        return true
    }
}
