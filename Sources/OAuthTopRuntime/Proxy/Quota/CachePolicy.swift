import HTTPTypes
import Primitives

/// Which responses the proxy's cache stores and for how long, and which requests it may answer (RFC 9111, as a
/// private cache: every request through one proxy carries the same credential, the proxy's token, so `private`
/// responses and responses to authorized requests may be stored, as a browser stores them for its user).
///
/// Stored: `GET` and `HEAD` `200` responses, not `text/event-stream`, not `no-store` or `no-cache` (a response that
/// needs revalidation is never served, since this cache does not revalidate), not `Vary: *`, with a body of at most
/// `max_body` bytes, to requests without `no-store`. Fresh for `s-maxage`, else `max-age`, else `Expires` − `Date`,
/// else the configured ttl (a heuristic lifetime, §4.2.2), from its corrected initial age (`Age`, or how far its
/// `Date` lies behind, §4.2.3).
enum CachePolicy {
    /// Why a response is not stored (for tests and debug logs).
    struct Refusal: Error, Hashable, CustomStringConvertible {
        var description: String
    }

    /// What a storable response will be kept with.
    struct Admission: Hashable, Sendable {
        var vary: VaryNames
        var lifetime: Duration
        var initialAge: Duration
    }

    /// Whether a response may be stored, and its lifetime and age.
    ///
    /// - Parameters:
    ///   - now: Unix nanoseconds when the response head arrived.
    ///   - ignoredVary: Lower-cased names of the request fields the proxy replaces (not compared for `Vary`).
    static func admission(
        method: HTTPRequest.Method,
        request: HTTPFields,
        status: HTTPResponse.Status,
        response: HTTPFields,
        ttl: Duration,
        maxBody: Int,
        ignoredVary: Set<String>,
        now: Int64
    ) -> Result<Admission, Refusal> {
        guard method == .get || method == .head else {
            return .failure(Refusal(description: "method \(method.rawValue)"))
        }
        guard status.code == 200 else { return .failure(Refusal(description: "status \(status.code)")) }
        let requestDirectives = CacheControl(lines: request[values: .cacheControl])
        guard !requestDirectives.noStore else { return .failure(Refusal(description: "request no-store")) }
        let directives = CacheControl(lines: response[values: .cacheControl])
        if let malformed = directives.malformed {
            return .failure(Refusal(description: "Cache-Control unreadable: \(malformed)"))
        }
        guard !directives.noStore else { return .failure(Refusal(description: "no-store")) }
        guard !directives.noCache else { return .failure(Refusal(description: "no-cache")) }
        guard let vary = VaryNames(lines: response[values: .vary], ignoring: ignoredVary) else {
            return .failure(Refusal(description: "Vary: * or an unreadable Vary"))
        }
        if let type = response[.contentType], Self.mediaType(type) == "text/event-stream" {
            return .failure(Refusal(description: "an event stream"))
        }
        if method == .get, let length = response[.contentLength] {
            guard let bytes = Int(length.trimmingOWS), bytes >= 0 else {
                return .failure(Refusal(description: "Content-Length unreadable"))
            }
            guard bytes <= maxBody else { return .failure(Refusal(description: "body above max_body")) }
        }

        let dateSeconds = response[.date].flatMap(HTTPDate.parse)
        let nowSeconds = Double(now) / 1e9
        let lifetime: Duration
        if let seconds = directives.sMaxAge ?? directives.maxAge {
            lifetime = .seconds(seconds)
        } else if let expires = response[.expires] {
            // An unreadable Expires (e.g. `0`) means already expired (§5.3).
            guard let expiresSeconds = HTTPDate.parse(expires) else { return .failure(Refusal(description: "stale")) }
            lifetime = Self.duration(seconds: expiresSeconds - (dateSeconds ?? nowSeconds))
        } else {
            lifetime = ttl
        }
        let apparentAge = dateSeconds.map { Self.duration(seconds: nowSeconds - $0) } ?? .zero
        let ageValue = response[values: .age].first.flatMap(Self.deltaSeconds).map { Duration.seconds($0) } ?? .zero
        let initialAge = max(apparentAge, ageValue)
        guard lifetime > initialAge else { return .failure(Refusal(description: "stale")) }
        return .success(Admission(vary: vary, lifetime: lifetime, initialAge: initialAge))
    }

    /// Whether a request may be answered from the cache: `GET` or `HEAD`, no `Range`, and neither `no-cache`,
    /// `no-store` nor `max-age=0` (or `Pragma: no-cache` without `Cache-Control`, RFC 9111 §5.4): the client asked
    /// for the origin's answer. Returns the oldest age the client accepts (`max-age`), or `.max`.
    static func acceptableAge(method: HTTPRequest.Method, request: HTTPFields) -> Duration? {
        guard method == .get || method == .head else { return nil }
        guard request[values: .range].isEmpty else { return nil }
        let lines = request[values: .cacheControl]
        if lines.isEmpty {
            let pragma = request[values: Self.pragma].joined(separator: ",").lowercased()
            return pragma.contains("no-cache") ? nil : .seconds(Int64.max)
        }
        let directives = CacheControl(lines: lines)
        guard directives.malformed == nil, !directives.noCache, !directives.noStore else { return nil }
        guard let maxAge = directives.maxAge else { return .seconds(Int64.max) }
        return maxAge > 0 ? .seconds(maxAge) : nil
    }

    // A constant, valid field name.
    private static let pragma = HTTPField.Name("Pragma")!

    /// The media type of a `Content-Type` value, lower-cased, without parameters.
    static func mediaType(_ value: String) -> String {
        value.prefix { $0 != ";" }.trimmingOWS.lowercased()
    }

    /// `Age`'s delta-seconds (the first member of a list, §5.1); `nil` when unreadable (then ignored).
    private static func deltaSeconds(_ text: String) -> Int64? {
        let first = text.prefix { $0 != "," }.trimmingOWS
        guard !first.isEmpty, first.utf8.count <= 10, first.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int64(first)
    }

    private static func duration(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
    }
}
