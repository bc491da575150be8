import Foundation
import NIOCore
import NIOSSL
import OAuthTopConfig

/// A proxy's upstream, parsed once at start: where to connect, how (plain or TLS, verified against the
/// system's roots plus `ca_file`), the `Host` the requests carry, and the base path the requests' paths go
/// under.
struct UpstreamEndpoint: Sendable {
    /// The host to connect to (an IPv6 literal without brackets).
    let host: String
    let port: Int
    /// The TLS context of an `https` upstream; `nil` for `http`.
    let tls: NIOSSLContext?
    /// The name sent as SNI and matched against the certificate; `nil` for an IP literal (its address is
    /// matched against the certificate's IP addresses).
    let serverHostname: String?
    /// The `Host` field: the upstream URL's authority.
    let hostField: String
    /// The URL's path without a trailing slash (`""` for the root).
    let basePath: String
    /// `scheme://authority`, for messages.
    let origin: String

    /// Parses the `upstream` of `settings` (the configuration parser checked it is an absolute http(s) URL
    /// without user information, query or fragment) and makes its TLS context.
    ///
    /// - Throws: ``ProxyError`` when the URL cannot be used or the CA file cannot be read.
    init(_ settings: ProxySettings) throws {
        guard let components = URLComponents(string: settings.upstream), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw ProxyError.listener(proxy: settings.name, "upstream '\(settings.upstream)' is not an http(s) URL")
        }
        let secure = scheme == "https"
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.host = bare
        self.port = components.port ?? (secure ? 443 : 80)
        let bracketed = bare.contains(":") ? "[\(bare)]" : bare
        self.hostField = components.port.map { "\(bracketed):\($0)" } ?? bracketed
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
        self.origin = "\(scheme)://\(self.hostField)"
        let isAddress = (try? SocketAddress(ipAddress: bare, port: 0)) != nil
        self.serverHostname = isAddress ? nil : bare
        if secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            tls.applicationProtocols = ["http/1.1"]
            if let caFile = settings.caFile {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw ProxyError.caFile(proxy: settings.name, path: caFile)
                }
                tls.additionalTrustRoots = [.file(caFile)]
            }
            do {
                self.tls = try NIOSSLContext(configuration: tls)
            } catch {
                throw ProxyError.listener(proxy: settings.name, "the upstream's TLS settings cannot be used: \(error)")
            }
        } else {
            self.tls = nil
        }
    }
}
