import Foundation
import OAuthTopConfig

/// The API proxies `oauthtop exec` serves its command: each configured proxy on a private listener in a
/// new 0700 directory (a Unix socket there when the proxy listens on a path; 127.0.0.1 on a free port
/// with its secret file there when it listens on TCP), and the variables that tell the command where:
/// `OAUTHTOP_PROXY_URL` (the first proxy: `http://127.0.0.1:PORT` or `unix:PATH`),
/// `OAUTHTOP_PROXY_<NAME>_URL` per proxy (upper-cased, `-` as `_`), and `OAUTHTOP_PROXY_SECRET_FILE` /
/// `OAUTHTOP_PROXY_<NAME>_SECRET_FILE` for TCP listeners. Never the secret itself.
struct ExecProxies: Sendable {
    /// The proxies with their private listeners.
    let settings: [ProxySettings]
    /// The private directory, removed when the command has ended.
    let directory: TokenFileLocation

    /// The variable with the first proxy's URL.
    static let urlVariable = "OAUTHTOP_PROXY_URL"
    /// The variable with the first proxy's secret file (TCP only).
    static let secretFileVariable = "OAUTHTOP_PROXY_SECRET_FILE"

    /// Makes the private directory and listeners; `nil` without proxies.
    static func make(_ proxies: [ProxySettings], environment: [String: String]) throws(ExecError) -> ExecProxies? {
        guard !proxies.isEmpty else { return nil }
        let location = try TokenFileLocation.make(
            explicitPath: nil, environment: environment, prefix: "oauthtop-proxy", name: "proxies"
        )
        let directory = (location.path as NSString).deletingLastPathComponent
        let settings = proxies.map { proxy in
            var proxy = proxy
            switch proxy.listen {
            case .unix:
                proxy.listen = .unix(path: "\(directory)/\(proxy.name).sock")
            case .tcp:
                proxy.listen = .tcp("127.0.0.1:0")
                proxy.secretFile = "\(directory)/\(proxy.name).secret"
            }
            return proxy
        }
        return ExecProxies(settings: settings, directory: location)
    }

    /// The command's variables for the bound listeners, the first of `order` also under the plain names.
    static func variables(_ bound: [APIProxyService.Listening], order: [ProxySettings]) -> [String: String] {
        var variables: [String: String] = [:]
        for (index, proxy) in order.enumerated() {
            guard let listening = bound.first(where: { $0.name == proxy.name }) else { continue }
            let name = proxy.name.uppercased().replacingOccurrences(of: "-", with: "_")
            variables["OAUTHTOP_PROXY_\(name)_URL"] = listening.url
            if let file = listening.secretFile { variables["OAUTHTOP_PROXY_\(name)_SECRET_FILE"] = file }
            if index == 0 {
                variables[Self.urlVariable] = listening.url
                if let file = listening.secretFile { variables[Self.secretFileVariable] = file }
            }
        }
        return variables
    }
}
