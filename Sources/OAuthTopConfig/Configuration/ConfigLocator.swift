/// Finds `oauthtop.yaml`: the `--config` path, then `$OAUTHTOP_CONFIG`, then the XDG config
/// directory (`$XDG_CONFIG_HOME/oauthtop/oauthtop.yaml`, `~/.config` when unset).
public enum ConfigLocator {
    /// Which rule found the file.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The path given with `--config`.
        public static let explicitPath = Rule(rawValue: "--config")
        /// The path in `$OAUTHTOP_CONFIG`.
        public static let environmentVariable = Rule(rawValue: "$OAUTHTOP_CONFIG")
        /// `$XDG_CONFIG_HOME/oauthtop/oauthtop.yaml`, or `$HOME/.config/...` when it is unset.
        public static let xdgConfigHome = Rule(rawValue: "$XDG_CONFIG_HOME")

        public var description: String { self.rawValue }
    }

    /// A configuration file that was found, and how.
    public struct Location: Sendable, Hashable {
        public let path: String
        public let rule: Rule
        public init(path: String, rule: Rule) {
            self.path = path
            self.rule = rule
        }
    }

    /// Finds the configuration file.
    ///
    /// A path given explicitly (by `--config` or `$OAUTHTOP_CONFIG`) is used or reported missing,
    /// never silently skipped for the next rule.
    ///
    /// - Parameters:
    ///   - explicitPath: The `--config` argument, if any.
    ///   - environment: The process environment (`OAUTHTOP_CONFIG`, `XDG_CONFIG_HOME`, `HOME`).
    ///   - fileReader: Tells whether a file exists.
    /// - Throws: `ConfigError` (`isNotFound`) listing every place looked at.
    public static func locate(
        explicitPath: String?,
        environment: [String: String],
        fileReader: FileReader = .fileSystem
    ) throws(ConfigError) -> Location {
        if let explicitPath {
            guard fileReader.exists(explicitPath) else {
                throw .notFound(lookedAt: ["\(explicitPath) (from --config): no such file"])
            }
            return Location(path: explicitPath, rule: .explicitPath)
        }
        if let path = environment["OAUTHTOP_CONFIG"], !path.isEmpty {
            guard fileReader.exists(path) else {
                throw .notFound(lookedAt: ["\(path) (from $OAUTHTOP_CONFIG): no such file"])
            }
            return Location(path: path, rule: .environmentVariable)
        }
        var lookedAt = ["--config: not given", "$OAUTHTOP_CONFIG: not set"]
        let candidate: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            candidate = "\(xdg.trimmingTrailingSlashes)/oauthtop/oauthtop.yaml"
        } else if let home = environment["HOME"], !home.isEmpty {
            candidate = "\(home.trimmingTrailingSlashes)/.config/oauthtop/oauthtop.yaml"
        } else {
            lookedAt.append("$XDG_CONFIG_HOME and $HOME: not set")
            throw .notFound(lookedAt: lookedAt)
        }
        guard fileReader.exists(candidate) else {
            lookedAt.append("\(candidate) (XDG config directory): no such file")
            throw .notFound(lookedAt: lookedAt)
        }
        return Location(path: candidate, rule: .xdgConfigHome)
    }
}

extension String {
    var trimmingTrailingSlashes: String {
        var text = self
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
