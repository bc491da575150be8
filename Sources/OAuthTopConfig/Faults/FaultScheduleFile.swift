import DemoIdentityProvider
import Yams

/// Parses fault schedule files (`faults:` lists, see `docs/faults.md`) into a `FaultSchedule`.
public enum FaultScheduleFile {
    /// The fault kinds, as written in the file.
    public static let kinds = [
        "slow", "error", "rate_limit", "invalid_grant", "outage", "bad_response", "lost_answer", "bad_token",
        "inactive_token", "rotate_keys", "revoke_token", "api_rate_limit", "api_error",
    ]

    static let commonKeys = ["kind", "at", "until", "count", "endpoints"]
    /// Keys that only some kinds take.
    static let kindKeys: [String: [String]] = [
        "delay": ["slow", "lost_answer"],
        "status": ["error", "rate_limit", "api_error", "api_rate_limit"],
        "retry_after": ["rate_limit", "api_rate_limit"],
        "retry_after_format": ["rate_limit", "api_rate_limit"],
        "body": ["bad_response"],
        "token": ["bad_token"],
    ]
    static let allKeys = commonKeys + ["delay", "status", "retry_after", "retry_after_format", "body", "token"]

    /// Reads and parses the schedule file at `path`.
    ///
    /// - Throws: `ConfigError` listing every problem with its line and column.
    public static func load(path: String, fileReader: FileReader = .fileSystem) throws(ConfigError) -> FaultSchedule {
        let text = try fileReader.text(of: path)
        return try self.parse(yaml: text, file: path).get()
    }

    /// Parses schedule text, collecting every diagnostic.
    public static func parse(yaml: String, file: String) -> ParseOutcome<FaultSchedule> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        var schedule: FaultSchedule?
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            schedule = self.schedule(YAMLField(name: "", node: root), reader: reader)
        } else if !collector.hasErrors {
            collector.report("the file is empty; expected a mapping with 'faults'", at: nil)
        }
        return ParseOutcome(value: schedule, collector: collector)
    }

    static func schedule(_ root: YAMLField, reader: YAMLReader) -> FaultSchedule? {
        guard case .mapping = root.node else {
            reader.diagnostics.report(
                "expected a mapping with the key 'faults', found \(root.foundDescription)",
                at: root.position
            )
            return nil
        }
        guard
            let top = reader.mapping(
                root, allowedKeys: ["faults", "refresh_token_reuse_interval"], context: "the top level"
            ),
            let items = top.required("faults", { reader.sequence($0, expected: "a list of faults") })
        else { return nil }
        let errorsBefore = reader.diagnostics.errorCount
        let reuseInterval = top.optional("refresh_token_reuse_interval") { reader.duration($0) }
        let faults = items.map { self.fault($0, reader: reader) }
        guard !faults.contains(nil), reader.diagnostics.errorCount == errorsBefore else { return nil }
        return FaultSchedule(faults: faults.compactMap { $0 }, refreshTokenReuseInterval: reuseInterval)
    }

    static func fault(_ field: YAMLField, reader: YAMLReader) -> Fault? {
        guard let map = reader.mapping(field, allowedKeys: self.allKeys, context: "fault") else { return nil }
        let errorsBefore = reader.diagnostics.errorCount
        guard let kind = map.required("kind", { reader.choice($0, from: self.kinds) }) else { return nil }
        for entry in map.entries {
            guard let kinds = self.kindKeys[entry.key], !kinds.contains(kind) else { continue }
            reader.diagnostics.report(
                "'\(entry.key)' does not apply to kind '\(kind)' (only to \(kinds.joined(separator: ", ")))",
                at: SourcePosition(of: entry.keyNode)
            )
        }
        let start = map.optional("at") { reader.duration($0) } ?? .zero
        let end = map.optional("until") { reader.duration($0) }
        if let end, end <= start, let untilField = map["until"] {
            reader.error(
                "must be later than at (\(DurationSyntax.format(start))), found \(untilField.foundDescription)",
                at: untilField
            )
        }
        let count = map.optional("count") { reader.int($0, in: 1...Int.max) }
        let endpoints = map.optional("endpoints") { field -> [String]? in
            guard let items = reader.sequence(field, expected: "a list of endpoint names") else { return nil }
            let names = items.map(reader.nonEmptyString)
            return names.contains(nil) ? nil : names.compactMap { $0 }
        }

        var faultKind: FaultKind?
        switch kind {
        case "slow":
            if let delay = map.required("delay", { reader.duration($0, positive: true) }) {
                faultKind = .slow(delay: delay)
            }
        case "error", "api_error":
            let status = map.optional("status") { reader.int($0, in: 400...599) } ?? 500
            faultKind = kind == "error" ? FaultKind.httpError(status: status) : FaultKind.apiError(status: status)
        case "rate_limit", "api_rate_limit":
            var status = 429
            if let statusField = map["status"], let value = reader.int(statusField) {
                if value == 429 || value == 503 {
                    status = value
                } else {
                    reader.error("a rate limit answers 429 or 503, found \(value)", at: statusField)
                }
            }
            let retryAfter = map.optional("retry_after") { reader.duration($0) } ?? .seconds(1)
            let format = map.optional("retry_after_format") { reader.choice($0, from: ["seconds", "http_date"]) }
            faultKind = kind == "rate_limit"
                ? FaultKind.rateLimit(retryAfter: retryAfter, status: status, httpDate: format == "http_date")
                : FaultKind.apiRateLimit(retryAfter: retryAfter, status: status, httpDate: format == "http_date")
        case "invalid_grant":
            faultKind = .invalidGrant
        case "outage":
            if !map.contains("until") {
                map.reportMissing("until", because: "an outage is a window: give at and until")
            }
            if let countKey = map.keyPosition("count") {
                reader.diagnostics.report(
                    "'count' does not apply to kind 'outage': an outage refuses every connection in its window",
                    at: countKey
                )
            }
            faultKind = .outage
        case "lost_answer":
            // Without a delay the connection is closed unanswered; with one, the answer comes too late.
            faultKind = .lostAnswer(delay: map.optional("delay") { reader.duration($0, positive: true) })
        case "bad_response":
            let bodies = BadTokenResponse.all.map(\.rawValue)
            if let body = map.required("body", { reader.choice($0, from: bodies) }) {
                faultKind = .badResponse(BadTokenResponse(rawValue: body))
            }
        case "bad_token":
            let tokens = BadAccessToken.all.map(\.rawValue)
            if let token = map.required("token", { reader.choice($0, from: tokens) }) {
                faultKind = .badToken(BadAccessToken(rawValue: token))
            }
        case "inactive_token":
            faultKind = .inactiveToken
        case "rotate_keys":
            faultKind = .rotateKeys
        case "revoke_token":
            faultKind = .revokeToken
        default:
            break
        }
        guard reader.diagnostics.errorCount == errorsBefore, let faultKind else { return nil }
        // A rotation is an event, not a state: once, at the first token request of its window, unless told.
        let faultCount = faultKind == .rotateKeys ? (count ?? 1) : count
        return Fault(
            kind: faultKind,
            start: start,
            end: end,
            count: faultCount,
            endpoints: endpoints.map(Set.init)
        )
    }
}
