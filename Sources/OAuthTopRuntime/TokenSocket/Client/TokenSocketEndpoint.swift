import Foundation

/// Where a ``TokenSocketClient`` finds the daemon: its Unix socket, or its loopback TCP listener with
/// the bearer secret read from the listener's secret file.
public struct TokenSocketEndpoint: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case unix(path: String)
        case tcp(baseURL: String, secret: BearerSecret)
    }

    let kind: Kind

    /// The Unix socket at `path`.
    public static func unix(_ path: String) -> TokenSocketEndpoint {
        TokenSocketEndpoint(kind: .unix(path: path))
    }

    /// The TCP listener at `baseURL` (`http://127.0.0.1:PORT`), authenticating with `secret`.
    public static func tcp(baseURL: String, secret: BearerSecret) -> TokenSocketEndpoint {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return TokenSocketEndpoint(kind: .tcp(baseURL: base, secret: secret))
    }

    /// The URL of `path` (e.g. `/v1/status`) on this endpoint: `http+unix://...` for the socket.
    public func url(_ path: String) -> String {
        switch self.kind {
        case .unix(let socket):
            URL(httpURLWithSocketPath: socket, uri: path)?.absoluteString ?? "http+unix://invalid\(path)"
        case .tcp(let base, _):
            base + path
        }
    }

    /// The socket path, or the TCP base URL: how messages name the daemon.
    public var description: String {
        switch self.kind {
        case .unix(let path): path
        case .tcp(let base, _): base
        }
    }
}
