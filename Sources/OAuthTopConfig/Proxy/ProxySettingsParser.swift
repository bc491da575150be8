import Foundation
import Yams

/// Parses the `proxies:` section of `oauthtop.yaml` into ``ProxySettings`` (schema: `docs/proxy.md`).
///
/// Every key of ``ProxySettings`` has a snake_case key here; sizes use ``SizeSyntax`` (`1MiB`), durations
/// ``DurationSyntax``. What is checked beyond types, each reported at its line and column: a duplicate proxy
/// name or listen address, `upstream` not an absolute http(s) URL or carrying user information, a query, a
/// fragment or a `.`/`..` segment, a TCP listener off loopback, a relative or too long socket path,
/// thresholds outside (0, 1] or `cache_above` above `shed_above`, header names that are not RFC 9110
/// tokens. Whether `provider` names a configured provider is checked by the caller, which knows them.
struct ProxySettingsParser {
    let reader: YAMLReader

    static let keys = [
        "name", "listen", "upstream", "provider", "header", "secret_file", "ca_file", "max_connections",
        "connect_timeout", "read_timeout", "max_request_body", "auth_errors", "rate_limit", "on_rate_limit", "quota",
        "cache",
    ]
    static let headerKeys = ["name", "scheme"]
    static let authErrorKeys = ["statuses", "replay_body_limit"]
    static let rateLimitKeys = ["statuses", "when_blocked", "max_wait"]
    static let rewriteKeys = ["json_field", "from", "to"]
    static let quotaKeys = ["cache_above", "shed_above", "critical_header", "critical_paths", "limits"]
    static let limitKeys = ["name", "limit_header", "remaining_header", "reset_header"]
    static let cacheKeys = ["max_entries", "max_bytes", "max_body", "ttl"]

    /// Headers the proxy owns on the way to the upstream, so the token cannot be sent in them.
    static let reservedTokenHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te",
        "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "content-type",
    ]

    /// A parsed entry and the fields later checks point at.
    struct Parsed {
        var settings: ProxySettings
        var nameField: YAMLField
        var providerField: YAMLField
        var listenField: YAMLField
    }

    /// Reads the list under `proxies:`; `nil` after reporting at least one error.
    func proxies(_ field: YAMLField) -> [Parsed]? {
        if field.isNull { return [] }
        guard let items = self.reader.sequence(field, expected: "a list of proxies") else { return nil }
        var parsed: [Parsed] = []
        var valid = true
        var names: [String: Int] = [:]
        var listens: [String: Int] = [:]
        for item in items {
            guard let proxy = self.proxy(item) else {
                valid = false
                continue
            }
            let line = proxy.nameField.position?.line ?? 0
            if let first = names[proxy.settings.name] {
                self.reader.error(
                    "duplicate proxy name '\(proxy.settings.name)' (first defined at line \(first))", at: proxy.nameField
                )
                valid = false
            } else {
                names[proxy.settings.name] = line
            }
            if let key = Self.listenKey(proxy.settings.listen) {
                if let first = listens[key] {
                    self.reader.error(
                        "another proxy (line \(first)) already listens at '\(key)'", at: proxy.listenField
                    )
                    valid = false
                } else {
                    listens[key] = proxy.listenField.position?.line ?? 0
                }
            }
            parsed.append(proxy)
        }
        return valid ? parsed : nil
    }

    /// What two proxies must not share: a socket path, or a TCP address with a fixed port.
    private static func listenKey(_ listen: ProxySettings.Listen) -> String? {
        switch listen {
        case .unix(let path): return path
        case .tcp(let address): return address.hasSuffix(":0") ? nil : address
        }
    }

    private func proxy(_ field: YAMLField) -> Parsed? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.keys, context: "a proxy") else { return nil }
        let name = map.required("name", self.name)
        let listen = map.required("listen", self.listen)
        let upstream = map.required("upstream", self.upstream)
        let provider = map.required("provider", self.reader.nonEmptyString)?.trimmingSpaces
        let header = map.optional("header", self.tokenHeader)
        let socketParser = SocketSettingsParser(reader: self.reader)
        let secretFile = map.optional("secret_file", socketParser.path)
        let caFile = map.optional("ca_file", self.absoluteFile)
        let maxConnections = map.optional("max_connections") { self.reader.int($0, in: 1...10_000) }
        let connectTimeout = map.optional("connect_timeout") { self.reader.duration($0, positive: true) }
        let readTimeout = map.optional("read_timeout") { self.reader.duration($0, positive: true) }
        let maxRequestBody = map.optional("max_request_body") { self.reader.size($0, in: 0...(1 << 40)) }
        let authErrors = map.optional("auth_errors", self.authErrors)
        let rateLimit = map.optional("rate_limit", self.rateLimit)
        let onRateLimit = map.optional("on_rate_limit", self.rewrite)
        let quota = map.optional("quota", self.quota)
        let cache = map.optional("cache", self.cache)
        guard self.reader.diagnostics.errorCount == errorsBefore, let name, let listen, let upstream, let provider,
            let nameField = map["name"], let providerField = map["provider"], let listenField = map["listen"]
        else { return nil }
        var settings = ProxySettings(name: name, listen: listen, upstream: upstream, provider: provider)
        if let header { settings.header = header }
        settings.secretFile = secretFile
        settings.caFile = caFile
        if let maxConnections { settings.maxConnections = maxConnections }
        if let connectTimeout { settings.connectTimeout = connectTimeout }
        if let readTimeout { settings.readTimeout = readTimeout }
        if let maxRequestBody { settings.maxRequestBody = maxRequestBody }
        if let authErrors { settings.authErrors = authErrors }
        if let rateLimit { settings.rateLimit = rateLimit }
        settings.onRateLimit = onRateLimit
        settings.quota = quota
        settings.cache = cache
        return Parsed(settings: settings, nameField: nameField, providerField: providerField, listenField: listenField)
    }

    /// A name usable as a metric label and in an environment variable: letters, digits, `-`, `_`.
    private func name(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field)?.trimmingSpaces else { return nil }
        let valid = text.count <= 64 && text.first.map { $0.isASCII && $0.isLetter } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard valid else {
            self.reader.mismatch(field, expected: "a name of letters, digits, - and _ starting with a letter")
            return nil
        }
        return text
    }

    /// An absolute Unix socket path, or a loopback `HOST:PORT`.
    private func listen(_ field: YAMLField) -> ProxySettings.Listen? {
        guard let text = field.scalarText?.trimmingSpaces, !text.isEmpty else {
            self.reader.mismatch(field, expected: "a socket path like /run/oauthtop/api.sock or 127.0.0.1:PORT")
            return nil
        }
        if text.hasPrefix("/") {
            return SocketSettingsParser(reader: self.reader).path(field).map { .unix(path: $0) }
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            self.reader.error(
                "expected an absolute socket path like /run/oauthtop/api.sock or a loopback 127.0.0.1:PORT, "
                    + "found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        guard ["127.0.0.1", "localhost", "[::1]"].contains(String(text[..<colon])) else {
            self.reader.error(
                "a proxy must listen on a loopback address (127.0.0.1, localhost or [::1]) or a Unix socket, "
                    + "found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return .tcp(text)
    }

    /// The base URL: absolute http(s) with a host, no user information, query or fragment, no `.` or `..`
    /// segment; returned without a trailing slash.
    private func upstream(_ field: YAMLField) -> String? {
        let expectation = "an http(s) base URL like https://api.example.com/v1"
        guard let text = field.scalarText?.trimmingSpaces, !text.isEmpty else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            text.lowercased().hasPrefix(scheme + "://")
        else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        if components.user != nil || components.password != nil {
            // The text may hold a password: not quoted.
            self.reader.error("must not carry user information (user:password@); the proxy attaches the token", at: field)
            return nil
        }
        if components.query != nil || components.fragment != nil {
            self.reader.error("must not have a query or a fragment, found \(field.foundDescription)", at: field)
            return nil
        }
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { [".", ".."].contains($0.lowercased().replacingOccurrences(of: "%2e", with: ".")) }) {
            self.reader.error("must not have a '.' or '..' path segment, found \(field.foundDescription)", at: field)
            return nil
        }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    private func absoluteFile(_ field: YAMLField) -> String? {
        guard let path = self.reader.nonEmptyString(field)?.trimmingSpaces else { return nil }
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            self.reader.error("expected an absolute file path, found \(field.foundDescription)", at: field)
            return nil
        }
        return path
    }

    /// An RFC 9110 `token` (§5.6.2): the syntax of a header field name.
    static func isToken(_ text: String) -> Bool {
        let extra = Set("!#$%&'*+-.^_`|~")
        return !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || extra.contains($0)) }
    }

    /// A header field name (RFC 9110 token).
    func headerName(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field)?.trimmingSpaces else { return nil }
        guard Self.isToken(text) else {
            self.reader.error(
                "'\(text)' is not a header field name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)", at: field
            )
            return nil
        }
        return text
    }

    private func tokenHeader(_ field: YAMLField) -> ProxySettings.TokenHeader? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.headerKeys, context: "'header'") else { return nil }
        guard let name = map.required("name", self.headerName) else { return nil }
        if Self.reservedTokenHeaders.contains(name.lowercased()), let nameField = map["name"] {
            self.reader.error("'\(name)' cannot carry the token (the proxy sets or removes it)", at: nameField)
            return nil
        }
        var scheme = ProxySettings.TokenHeader.bearer.scheme
        if let field = map["scheme"] {
            // `scheme: ""` (or nothing) sends the bare token, as `x-api-key` headers want.
            let text = field.isNull ? "" : (self.reader.string(field)?.trimmingSpaces ?? "")
            guard text.isEmpty || Self.isToken(text) else {
                self.reader.mismatch(field, expected: "an authentication scheme like Bearer, or \"\" for none")
                return nil
            }
            scheme = text
        }
        return ProxySettings.TokenHeader(name: name, scheme: scheme)
    }

    private func statuses(_ field: YAMLField) -> Set<Int>? {
        guard let items = self.reader.sequence(field, expected: "a list of HTTP statuses like [401, 403]") else {
            return nil
        }
        let values = items.map { self.reader.int($0, in: 400...599) }
        return values.contains(nil) ? nil : Set(values.compactMap { $0 })
    }

    private func authErrors(_ field: YAMLField) -> ProxySettings.AuthErrors? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.authErrorKeys, context: "'auth_errors'") else {
            return nil
        }
        let statuses = map.optional("statuses", self.statuses)
        let limit = map.optional("replay_body_limit") { self.reader.size($0, in: 0...(1 << 30)) }
        return ProxySettings.AuthErrors(
            statuses: statuses ?? [401], replayBodyLimit: limit ?? ProxySettings.AuthErrors.defaultReplayBodyLimit
        )
    }

    private func rateLimit(_ field: YAMLField) -> ProxySettings.RateLimit? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.rateLimitKeys, context: "'rate_limit'") else {
            return nil
        }
        var settings = ProxySettings.RateLimit()
        if let statuses = map.optional("statuses", self.statuses) { settings.statuses = statuses }
        if let when = map.optional("when_blocked", { self.reader.choice($0, from: ["wait", "reject"]) }) {
            settings.whenBlocked = ProxySettings.RateLimit.WhenBlocked(rawValue: when) ?? .wait
        }
        if let maxWait = map.optional("max_wait", { self.reader.duration($0) }) { settings.maxWait = maxWait }
        return settings
    }

    private func rewrite(_ field: YAMLField) -> ProxySettings.BodyRewrite? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.rewriteKeys, context: "'on_rate_limit'") else {
            return nil
        }
        let path = map.required("json_field") { field -> String? in
            guard let text = self.reader.nonEmptyString(field)?.trimmingSpaces else { return nil }
            guard !text.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                self.reader.mismatch(field, expected: "a key or a dotted path of keys like model or options.model")
                return nil
            }
            return text
        }
        let from = map.optional("from", self.reader.string)
        let to = map.required("to", self.reader.string)
        guard let path, let to else { return nil }
        return ProxySettings.BodyRewrite(jsonField: path, from: from, to: to)
    }

    /// A threshold in (0, 1] (`0.9` or `90%`), or `off` / nothing for none.
    private func threshold(_ field: YAMLField) -> Double?? {
        if field.isNull || field.scalarText?.trimmingSpaces == "off" { return .some(nil) }
        guard let value = self.reader.fraction(field) else { return nil }
        guard value > 0 else {
            self.reader.error("must be above 0 (write off to turn it off), found \(field.foundDescription)", at: field)
            return nil
        }
        return .some(value)
    }

    private func quota(_ field: YAMLField) -> ProxySettings.Quota? {
        if field.isNull { return ProxySettings.Quota() }
        guard let map = self.reader.mapping(field, allowedKeys: Self.quotaKeys, context: "'quota'") else { return nil }
        let errorsBefore = self.reader.diagnostics.errorCount
        var quota = ProxySettings.Quota()
        if let value = map.optional("cache_above", self.threshold) { quota.cacheAbove = value }
        if let value = map.optional("shed_above", self.threshold) { quota.shedAbove = value }
        if let header = map.optional("critical_header", self.headerName) { quota.criticalHeader = header }
        if let paths = map.optional("critical_paths", self.criticalPaths) { quota.criticalPaths = paths }
        if let limits = map.optional("limits", self.limits) { quota.limits = limits }
        if let cache = quota.cacheAbove, let shed = quota.shedAbove, cache > shed {
            let field = map["cache_above"] ?? map["shed_above"] ?? map.field
            self.reader.error(
                "cache_above (\(cache)) must not be above shed_above (\(shed)): the cache answers before shedding starts",
                at: field
            )
        }
        return self.reader.diagnostics.errorCount == errorsBefore ? quota : nil
    }

    private func criticalPaths(_ field: YAMLField) -> [String]? {
        guard let items = self.reader.sequence(field, expected: "a list of paths like /v1/batches/*") else {
            return nil
        }
        let values = items.map { item -> String? in
            guard let text = self.reader.nonEmptyString(item)?.trimmingSpaces else { return nil }
            guard text.hasPrefix("/"), !text.contains("?"), !text.contains("#") else {
                self.reader.mismatch(item, expected: "a path starting with / (no query), like /v1/batches/*")
                return nil
            }
            return text
        }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    private func limits(_ field: YAMLField) -> [ProxySettings.HeaderLimit]? {
        guard let items = self.reader.sequence(field, expected: "a list of limits") else { return nil }
        let values = items.map { item -> ProxySettings.HeaderLimit? in
            guard let map = self.reader.mapping(item, allowedKeys: Self.limitKeys, context: "a quota limit") else {
                return nil
            }
            let name = map.required("name", self.name)
            let limit = map.required("limit_header", self.headerName)
            let remaining = map.required("remaining_header", self.headerName)
            let reset = map.optional("reset_header", self.headerName)
            guard let name, let limit, let remaining else { return nil }
            return ProxySettings.HeaderLimit(name: name, limitHeader: limit, remainingHeader: remaining, resetHeader: reset)
        }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    private func cache(_ field: YAMLField) -> ProxySettings.Cache? {
        if field.isNull { return ProxySettings.Cache() }
        guard let map = self.reader.mapping(field, allowedKeys: Self.cacheKeys, context: "'cache'") else { return nil }
        var cache = ProxySettings.Cache()
        if let value = map.optional("max_entries", { self.reader.int($0, in: 1...10_000_000) }) { cache.maxEntries = value }
        if let value = map.optional("max_bytes", { self.reader.size($0, in: 1...(1 << 40)) }) { cache.maxBytes = value }
        if let value = map.optional("max_body", { self.reader.size($0, in: 1...(1 << 40)) }) { cache.maxBody = value }
        if let value = map.optional("ttl", { self.reader.duration($0, positive: true) }) { cache.ttl = value }
        return cache
    }
}
