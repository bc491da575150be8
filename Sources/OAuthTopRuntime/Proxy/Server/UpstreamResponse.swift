import HTTPTypes
import NIOCore
import NIOHTTP1
import OAuthTopConfig

/// An upstream's response head, with its body not yet read: passed to the client as a stream, or discarded
/// before a replay.
struct UpstreamResponse: Sendable {
    let status: Int
    /// The upstream's fields for the client: without hop-by-hop fields (``ProxyHeaders``).
    let headers: HTTPHeaders
    private let body: UpstreamBody

    /// The same fields as swift-http-types', for the rate-limit rule and the hooks (made when asked: the auth-error
    /// rule and most answers need none).
    var fields: HTTPFields { HTTPFields(self.headers) }

    /// Whether the response is an auth error (``AuthErrorRule``).
    func isAuthError(_ settings: ProxySettings.AuthErrors) -> Bool {
        AuthErrorRule.isAuthError(status: self.status, challenges: self.headers["WWW-Authenticate"], settings: settings)
    }

    /// A small body of a response that is replaced (a 401 before its replay) is read to its end, so the
    /// connection goes back to the pool; a larger one is dropped with its connection.
    static let drainLimit = 64 << 10

    init(_ response: UpstreamExchangeHandler.Head) {
        self.status = Int(response.head.status.code)
        self.headers = ProxyHeaders.clientResponseFields(response.head.headers)
        self.body = response.body
    }

    /// Reads and drops the body (up to ``drainLimit``; past it the connection is closed).
    func discard() async {
        var read = 0
        do {
            for try await chunk in self.body {
                read += chunk.readableBytes
                if read > Self.drainLimit { return }
            }
        } catch {
            return
        }
    }

    /// The client's answer: the status, ``headers``, and the body streamed chunk by chunk as the upstream sends it
    /// (``ProxyReplyWriter`` writes each chunk as it comes, so server-sent events arrive as they are produced),
    /// seen by `tee`.
    func reply(tee: (any ProxyBodyTee)?) -> ProxyReply {
        .upstream(status: self.status, headers: self.headers, body: self.body, tee: tee)
    }
}
