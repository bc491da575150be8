import HTTPTypes

/// Which requests are critical: never refused by the proxy near the quota (nor while the upstream is blocked; they
/// wait the block out), and always forwarded rather than answered from the cache.
///
/// A request is critical when its critical header (`OAuthtop-Priority` unless configured) says `critical` (any
/// case, surrounding whitespace ignored; with several values, any one), or when its path matches one of the
/// configured patterns. The header is the proxy's own and is not forwarded.
public struct CriticalRule: Sendable, Hashable {
    /// The header's name.
    public let header: HTTPField.Name?
    /// The path patterns.
    public let paths: [CriticalPathPattern]

    /// A rule from the configured header name and path patterns.
    public init(header: String, paths: [String]) {
        self.header = HTTPField.Name(header)
        self.paths = paths.map(CriticalPathPattern.init)
    }

    /// Whether a request is critical.
    ///
    /// - Parameters:
    ///   - path: The request's path as the client sent it (a query after `?` is ignored).
    ///   - headers: Its header fields.
    public func isCritical(path: String, headers: HTTPFields) -> Bool {
        if let header = self.header {
            for value in headers[values: header] {
                for member in value.split(separator: ",") where member.trimmingOWS.lowercased() == "critical" {
                    return true
                }
            }
        }
        guard !self.paths.isEmpty else { return false }
        let bare = path.prefix { $0 != "?" }
        return self.paths.contains { $0.matches(bare) }
    }
}

/// A path pattern of `critical_paths`: segments separated by `/`, `*` matching any characters within one segment
/// (`/v1/batches/*`, `/v1/*-priority/run`), and a trailing `/**` matching the path before it and anything under it
/// (`/v1/admin/**` matches `/v1/admin` and `/v1/admin/a/b`). Anything else matches itself; a `**` elsewhere is two
/// `*`s within a segment. Paths are compared as the client sent them (percent-encoding not decoded).
public struct CriticalPathPattern: Sendable, Hashable {
    /// The pattern as configured.
    public let text: String
    private let segments: [Substring]
    private let anyRest: Bool

    public init(_ text: String) {
        self.text = text
        var body = Substring(text)
        if body == "/**" || body.hasSuffix("/**") {
            self.anyRest = true
            body = body.dropLast(3)
        } else {
            self.anyRest = false
        }
        self.segments = body.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// Whether `path` (without its query) matches.
    public func matches(_ path: some StringProtocol) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if self.anyRest {
            // `/a/**` matches `/a`, `/a/` and everything under `/a/`; `/**` matches every path.
            guard parts.count >= self.segments.count else { return false }
        } else {
            guard parts.count == self.segments.count else { return false }
        }
        return zip(self.segments, parts).allSatisfy { Self.glob(Array($0.utf8), Array($1.utf8)) }
    }

    /// `*` matches any run of bytes (within a segment: the caller splits at `/`). Iterative, with one backtrack
    /// point, so a pattern of many stars cannot take exponential time.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
