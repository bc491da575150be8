/// What `oauthtop config check` prints: every diagnostic, then a one-line summary.
public struct ConfigCheckReport: Sendable, Hashable {
    public let file: String
    /// Every diagnostic, in file order.
    public let diagnostics: [Diagnostic]
    /// The number of providers when the file is valid; `nil` when it has errors.
    public let providerCount: Int?
    /// The Redis server of the `coordination:` section when the file is valid and has one.
    public let coordinationURL: String?
    /// The number of API proxies (`proxies:`) when the file is valid.
    public let proxyCount: Int

    public init(
        file: String, diagnostics: [Diagnostic], providerCount: Int?, coordinationURL: String? = nil, proxyCount: Int = 0
    ) {
        self.file = file
        self.diagnostics = diagnostics
        self.providerCount = providerCount
        self.coordinationURL = coordinationURL
        self.proxyCount = proxyCount
    }

    public var errorCount: Int { self.diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { self.diagnostics.count { $0.severity == .warning } }

    /// Whether the file is usable (warnings allowed).
    public var isValid: Bool { self.errorCount == 0 }

    /// `5 errors in oauthtop.yaml`, or `oauthtop.yaml: OK (2 providers)`, with the proxies and warnings
    /// counted and the fleet's Redis server when the file coordinates through one.
    public var summary: String {
        let warnings = self.warningCount == 0 ? "" : ", \(Self.count(self.warningCount, "warning"))"
        if self.isValid {
            let fleet = self.coordinationURL.map { ", coordinated through \($0)" } ?? ""
            let proxies = self.proxyCount == 0 ? "" : ", \(Self.count(self.proxyCount, "proxy"))"
            return "\(self.file): OK (\(Self.count(self.providerCount ?? 0, "provider"))\(proxies)\(fleet)\(warnings))"
        }
        return "\(Self.count(self.errorCount, "error"))\(warnings) in \(self.file)"
    }

    /// The diagnostics, one per line, then the summary.
    public var lines: [String] { self.diagnostics.map(\.description) + [self.summary] }

    /// The exit status for the command: 0 when valid, 1 otherwise.
    public var exitCode: Int32 { self.isValid ? 0 : 1 }

    private static func count(_ value: Int, _ noun: String) -> String {
        value == 1 ? "1 \(noun)" : "\(value) \(noun == "proxy" ? "proxies" : noun + "s")"
    }
}
