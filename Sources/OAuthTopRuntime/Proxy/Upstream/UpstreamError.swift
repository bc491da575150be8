/// Why an exchange with the upstream failed; the pipeline answers 502 or 504 with it (never with a token).
enum UpstreamError: Error, Sendable, Equatable {
    /// No connection within `connect_timeout`.
    case connectTimeout
    /// The connection could not be made (refused, unreachable, TLS handshake failed): the reason, without secrets.
    case connectFailed(String)
    /// The upstream was silent for `read_timeout` before the response head or between two chunks.
    case readTimeout
    /// The connection broke off (closed or reset) before the response ended; `beforeResponse` when no byte
    /// of the response had arrived, so a pooled connection that the upstream had closed may be retried.
    case closed(beforeResponse: Bool)
    /// The response could not be parsed as HTTP/1.1.
    case badResponse(String)
    /// The proxy is stopping.
    case shutdown
}
