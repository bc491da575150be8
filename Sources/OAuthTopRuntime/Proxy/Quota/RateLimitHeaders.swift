import HTTPTypes
import OAuthTopConfig
import Primitives

/// Reads an upstream's rate-limit headers into ``RateLimitReading``s.
///
/// The built-in forms, the first one that gives a reading winning (they describe the same limits when a server sends
/// several for older clients):
/// 1. the current IETF draft (draft-ietf-httpapi-ratelimit-headers-08 to -10): `RateLimit-Policy` and `RateLimit`,
///    Lists of items named by a String (or Token), `q` (quota) and `w` (window) on the policy, `r` (remaining) and
///    `t` (seconds to reset) on the service limit; the two are paired by name (and partition key `pk`);
/// 2. draft -07: `RateLimit: limit=100, remaining=50, reset=30`, a Dictionary;
/// 3. drafts up to -06: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds);
/// 4. the common `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`, named by
///    `X-RateLimit-Resource` when present (GitHub). The reset is a delay in seconds, or a Unix time when the number
///    is 1e9 or more (GitHub, Twitter, Discord send Unix times; a 31-year delay is no rate-limit window).
///
/// Then every configured ``ProxySettings/HeaderLimit`` (vendor headers such as Anthropic's
/// `anthropic-ratelimit-requests-remaining` or OpenAI's `x-ratelimit-remaining-requests`), whose reset may also be a
/// Go duration (`6m0s`, `20ms`), an RFC 3339 time or an HTTP date.
///
/// Malformed values are ignored with a reason (the draft: "Malformed RateLimit header fields MUST be ignored"): a
/// negative count, a remaining count above the limit, a value that is not a number. A reading never has a used
/// fraction outside 0...1.
public struct RateLimitHeaders: Sendable {
    /// The configured vendor limits.
    public var limits: [ProxySettings.HeaderLimit]

    /// What one response's headers said.
    public struct Report: Sendable, Hashable {
        /// One reading per limit named in the headers.
        public var readings: [RateLimitReading] = []
        /// Headers (or parts of them) that were ignored, and why.
        public var problems: [RateLimitProblem] = []
    }

    /// The longest limit name kept (a name is a metric label).
    static let longestName = 64

    public init(limits: [ProxySettings.HeaderLimit] = []) {
        self.limits = limits
    }

    /// Reads `fields`.
    ///
    /// - Parameters:
    ///   - fields: A response's header fields.
    ///   - localNow: Local wall time in Unix nanoseconds; absolute reset times are measured against the response's
    ///     `Date` when it has one, else against this.
    /// - Returns: The readings, and the reasons for what was ignored.
    public func read(_ fields: HTTPFields, localNow: Int64) -> Report {
        var report = Report()
        let context = Context(
            fields: fields, localNow: Double(localNow) / 1e9
        )
        // Every standard form's fields are named `RateLimit...` or `X-RateLimit-...`: most answers have none, and
        // are read with one pass over their names.
        let standard = fields.contains { Self.mentionsRateLimit($0.name.canonicalName) }
        for form in [Self.currentDraft, Self.draft07, Self.draft06, Self.xRateLimit] where standard {
            let readings = form(context, &report.problems)
            if !readings.isEmpty {
                report.readings = readings
                break
            }
        }
        for limit in self.limits {
            if let reading = Self.configured(limit, context, &report.problems) {
                report.readings.removeAll { $0.name == reading.name }
                report.readings.append(reading)
            }
        }
        return report
    }

    /// Whether a lowercase field name contains `ratelimit`, compared byte by byte with the proxy's one substring
    /// search (Foundation's `contains`, which `import Foundation` selects for `String`, went through `NSString` and
    /// cost a proxied request 4% of its CPU).
    static func mentionsRateLimit(_ lowercaseName: String) -> Bool {
        lowercaseName.utf8.contains(substring: "ratelimit".utf8)
    }

    private struct Context {
        var fields: HTTPFields
        var localNow: Double

        /// The response's `Date` in Unix seconds: parsed only when an absolute reset time needs it.
        func serverNow() -> Double? { self.fields[.date].flatMap(HTTPDate.parse) }

        /// Every line of the field named `name`, or `nil` when there is none.
        func lines(_ name: String) -> [String]? {
            guard let field = HTTPField.Name(name) else { return nil }
            let values = self.fields[values: field]
            return values.isEmpty ? nil : values
        }
    }

    // MARK: - The IETF drafts

    /// `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=50;t=30` (draft -08 to -10, §3 and §4).
    private static func currentDraft(_ context: Context, _ problems: inout [RateLimitProblem]) -> [RateLimitReading] {
        guard let limitLines = context.lines("RateLimit") else { return [] }
        guard case .success(let limits) = StructuredField.list(limitLines),
            limits.allSatisfy({ $0.item?.value.name != nil })
        else { return [] }  // Not this form (draft -07's Dictionary is read next).
        var policies: [StructuredField.Item] = []
        if let policyLines = context.lines("RateLimit-Policy") {
            switch StructuredField.list(policyLines) {
            case .success(let members): policies = members.compactMap(\.item)
            case .failure(let failure): problems.append(RateLimitProblem("\(failure)").in("RateLimit-Policy"))
            }
        }
        var readings: [RateLimitReading] = []
        for limit in limits.compactMap(\.item) {
            guard let rawName = limit.value.name else { continue }
            let name = Self.labelName(rawName)
            guard let remaining = limit[parameter: "r"]?.integer, remaining >= 0 else {
                problems.append(RateLimitProblem("\"\(name)\" has no non-negative integer r").in("RateLimit"))
                continue
            }
            // Paired by name, and by partition key when both carry one (§3.1, §4.1).
            let policy = policies.last { policy in
                policy.value.name == rawName
                    && (policy[parameter: "pk"] == nil || limit[parameter: "pk"] == nil
                        || policy[parameter: "pk"] == limit[parameter: "pk"])
            }
            guard let policy, let quota = policy[parameter: "q"]?.integer, quota >= 0 else {
                problems.append(RateLimitProblem("\"\(name)\" has no RateLimit-Policy with a quota q").in("RateLimit"))
                continue
            }
            var reset: Duration?
            if let resetItem = limit[parameter: "t"] {
                guard let seconds = resetItem.integer, seconds >= 0 else {
                    problems.append(
                        RateLimitProblem("\"\(name)\" has a t that is no non-negative integer").in("RateLimit"))
                    continue
                }
                reset = .seconds(min(seconds, RateLimitReset.longest.components.seconds))
            }
            let window = policy[parameter: "w"]?.integer.flatMap { $0 > 0 ? Duration.seconds($0) : nil }
            if let reading = Self.reading(name, quota, remaining, reset, window, "RateLimit", &problems) {
                readings.append(reading)
            }
        }
        return readings
    }

    /// `RateLimit: limit=100, remaining=50, reset=30` (draft -07, §5).
    private static func draft07(_ context: Context, _ problems: inout [RateLimitProblem]) -> [RateLimitReading] {
        guard let lines = context.lines("RateLimit") else { return [] }
        if case .success(let list) = StructuredField.list(lines), list.allSatisfy({ $0.item?.value.name != nil }) {
            return []  // The current draft's form, read (or reported) before.
        }
        let members: [(key: String, value: StructuredField.Member)]
        switch StructuredField.dictionary(lines) {
        case .success(let dictionary): members = dictionary
        case .failure(let failure):
            problems.append(
                RateLimitProblem("neither a List of service limits nor a Dictionary (\(failure))")
                    .in("RateLimit"))
            return []
        }
        func integer(_ key: String) -> Int64? { members.last { $0.key == key }?.value.item?.value.integer }
        guard let limit = integer("limit"), let remaining = integer("remaining") else {
            problems.append(RateLimitProblem("has no integer limit and remaining").in("RateLimit"))
            return []
        }
        var reset: Duration?
        if let seconds = integer("reset"), seconds >= 0 {
            reset = .seconds(min(seconds, RateLimitReset.longest.components.seconds))
        }
        return Self.reading("default", limit, remaining, reset, nil, "RateLimit", &problems).map { [$0] } ?? []
    }

    /// `RateLimit-Limit: 100` (or `100, 100;w=60`: the first item is the current limit), `RateLimit-Remaining: 50`,
    /// `RateLimit-Reset: 30` (drafts up to -06; the reset is delay seconds).
    private static func draft06(_ context: Context, _ problems: inout [RateLimitProblem]) -> [RateLimitReading] {
        guard let limitLines = context.lines("RateLimit-Limit") else { return [] }
        guard case .success(let limits) = StructuredField.list(limitLines), let first = limits.first?.item,
            let limit = first.value.integer
        else {
            problems.append(RateLimitProblem("is no integer").in("RateLimit-Limit"))
            return []
        }
        guard let remainingLines = context.lines("RateLimit-Remaining"),
            case .success(let remainingItems) = StructuredField.list(remainingLines),
            let remaining = remainingItems.first?.item?.value.integer
        else {
            problems.append(RateLimitProblem("is missing or no integer").in("RateLimit-Remaining"))
            return []
        }
        var reset: Duration?
        if let resetLines = context.lines("RateLimit-Reset") {
            if case .success(let items) = StructuredField.list(resetLines),
                let seconds = items.first?.item?.value.integer,
                seconds >= 0
            {
                reset = .seconds(min(seconds, RateLimitReset.longest.components.seconds))
            } else {
                problems.append(RateLimitProblem("is no non-negative integer").in("RateLimit-Reset"))
            }
        }
        let window = first[parameter: "w"]?.integer.flatMap { $0 > 0 ? Duration.seconds($0) : nil }
        return Self.reading("default", limit, remaining, reset, window, "RateLimit-Limit", &problems).map { [$0] } ?? []
    }

    // MARK: - X-RateLimit and configured headers

    private static func xRateLimit(_ context: Context, _ problems: inout [RateLimitProblem]) -> [RateLimitReading] {
        guard context.lines("X-RateLimit-Limit") != nil || context.lines("X-RateLimit-Remaining") != nil else {
            return []
        }
        let name = context.lines("X-RateLimit-Resource")?.first.map(Self.labelName) ?? "default"
        let limit = HeaderLimitNames(
            name: name, limit: "X-RateLimit-Limit", remaining: "X-RateLimit-Remaining", reset: "X-RateLimit-Reset"
        )
        return Self.pair(limit, context, &problems).map { [$0] } ?? []
    }

    private static func configured(
        _ limit: ProxySettings.HeaderLimit,
        _ context: Context,
        _ problems: inout [RateLimitProblem]
    ) -> RateLimitReading? {
        guard context.lines(limit.limitHeader) != nil || context.lines(limit.remainingHeader) != nil else { return nil }
        let names = HeaderLimitNames(
            name: Self.labelName(limit.name), limit: limit.limitHeader, remaining: limit.remainingHeader,
            reset: limit.resetHeader
        )
        return Self.pair(names, context, &problems)
    }

    private struct HeaderLimitNames {
        var name: String
        var limit: String
        var remaining: String
        var reset: String?
    }

    /// A limit header, a remaining header and an optional reset header: plain counts (the first of a
    /// comma-separated list, as some servers repeat the value per policy).
    private static func pair(
        _ names: HeaderLimitNames,
        _ context: Context,
        _ problems: inout [RateLimitProblem]
    ) -> RateLimitReading? {
        guard let limitText = context.lines(names.limit)?.first else {
            problems.append(RateLimitProblem("is missing beside \(names.remaining)").in(names.limit))
            return nil
        }
        guard let limit = Self.count(limitText) else {
            problems.append(RateLimitProblem("is no non-negative integer").in(names.limit))
            return nil
        }
        guard let remainingText = context.lines(names.remaining)?.first else {
            problems.append(RateLimitProblem("is missing beside \(names.limit)").in(names.remaining))
            return nil
        }
        guard let remaining = Self.count(remainingText) else {
            problems.append(RateLimitProblem("is no non-negative integer").in(names.remaining))
            return nil
        }
        var reset: Duration?
        if let resetName = names.reset, let resetText = context.lines(resetName)?.first {
            switch RateLimitReset.parse(resetText, serverNow: context.serverNow, localNow: context.localNow) {
            case .success(let delay): reset = delay
            case .failure(let problem): problems.append(problem.in(resetName))
            }
        }
        return Self.reading(names.name, limit, remaining, reset, nil, names.remaining, &problems)
    }

    /// A non-negative integer of at most 18 digits, before any `,` or `;` (`100`, `100, 100;w=60`).
    private static func count(_ text: String) -> Int64? {
        let first = text.prefix { $0 != "," && $0 != ";" }.trimmingOWS
        guard !first.isEmpty, first.utf8.count <= 18, first.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int64(first)
    }

    /// The reading, or a problem when the counts contradict each other.
    private static func reading(
        _ name: String,
        _ limit: Int64,
        _ remaining: Int64,
        _ reset: Duration?,
        _ window: Duration?,
        _ header: String,
        _ problems: inout [RateLimitProblem]
    ) -> RateLimitReading? {
        guard limit >= 0, remaining >= 0 else {
            problems.append(RateLimitProblem("\"\(name)\" has a negative count").in(header))
            return nil
        }
        guard remaining <= limit else {
            problems.append(
                RateLimitProblem("\"\(name)\" has more remaining (\(remaining)) than its limit (\(limit))")
                    .in(header))
            return nil
        }
        return RateLimitReading(name: name, limit: limit, remaining: remaining, resetAfter: reset, window: window)
    }

    /// A limit's name as a metric label: printable ASCII without quotes or backslashes, at most 64 characters;
    /// `default` when nothing is left.
    static func labelName(_ text: String) -> String {
        let kept = text.trimmingOWS.unicodeScalars.filter { scalar in
            scalar.isASCII && (0x21...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\"
        }
        let name = String(String.UnicodeScalarView(kept.prefix(Self.longestName)))
        return name.isEmpty ? "default" : name
    }
}
