import CoreMetrics
import HTTPTypes
import Logging
import NIOCore
import OAuthTopConfig
import OAuthTopRuntime

/// Feeds bytes to the response cache's reading of `Cache-Control`, `Vary`, `Expires`, `Date`, `Age`,
/// `Content-Length` and `Content-Type`, and to the critical-request rule, through the proxy's `QuotaGuard`.
///
/// The first line is the request's path (matched against critical path patterns, the cache's key); lines
/// `> Name: value` are request fields, `Name: value` response fields. The response is admitted (or not), stored with
/// a small body, and looked up again with the quota above the cache threshold: the answer must be a forward or a
/// `200` hit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCacheHeaders(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let path = lines.isEmpty ? "/" : String(lines.removeFirst())
    var request = HTTPFields()
    var response = HTTPFields()
    for line in lines {
        let isRequest = line.hasPrefix(">")
        let body = isRequest ? line.dropFirst() : line
        guard let colon = body.firstIndex(of: ":"),
            let name = HTTPField.Name(String(body[..<colon]).trimmingCharacters(in: " "))
        else { continue }
        let field = HTTPField(name: name, lenientValue: Array(body[body.index(after: colon)...].utf8))
        if isRequest { request.append(field) } else { response.append(field) }
    }
    let now: Int64 = 1_796_000_000_000_000_000
    let guardian = Guard.shared
    _ = guardian.isCritical(path: path, headers: request)
    for method in [HTTPRequest.Method.get, .head] {
        if var admission = guardian.cacheAdmission(
            method: method, path: path, request: request, status: .ok, response: response, now: now
        ) {
            admission.append(ByteBuffer(string: "{\"cached\":true}"))
            guardian.store(admission, now: now)
        }
        switch guardian.decide(method: method, path: path, headers: request, now: now + 1_000_000_000) {
        case .forward: break
        case .cached(let hit): precondition(hit.status == .ok, "a cache hit with status \(hit.status)")
        case .shed(let refusal):
            precondition(refusal.status == .tooManyRequests, "a shed answer with \(refusal.status)")
        }
    }
    return 0
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

enum Guard {
    /// One guard whose quota reads 95% used (above its 0.9 cache threshold, below the 0.99 shedding threshold), with
    /// critical path patterns.
    static let shared: QuotaGuard = {
        let guardian = QuotaGuard(
            proxy: "fuzz", provider: "fuzz",
            quota: ProxySettings.Quota(
                cacheAbove: 0.9, shedAbove: 0.99, criticalPaths: ["/v1/batches/*", "/admin/**", "/a*b*c*d*e/x"]
            ),
            cache: ProxySettings.Cache(maxEntries: 64, maxBytes: 1 << 16, maxBody: 1 << 10, ttl: .seconds(60)),
            factory: NOOPMetricsHandler.instance,
            logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() },
            publish: { _ in }
        )
        guardian.observe(
            status: .ok,
            headers: [
                HTTPField.Name("X-RateLimit-Limit")!: "100",
                HTTPField.Name("X-RateLimit-Remaining")!: "5",
                HTTPField.Name("X-RateLimit-Reset")!: "3600",
            ],
            now: 1_796_000_000_000_000_000
        )
        return guardian
    }()
}
