import Alerting
import Foundation

extension OAuthTopConfiguration {
    /// The rule files of `alerting.rule_files`, relative paths taken from the configuration file's
    /// directory (as Prometheus does); empty when none are named.
    public func ruleFilePaths(configPath: String?) -> [String] {
        let directory = configPath.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        return (self.alerting?.ruleFiles ?? []).map { path in
            path.hasPrefix("/") || directory.isEmpty ? path : directory + "/" + path
        }
    }

    /// The rule groups to evaluate: the named rule files, or the seed's four rules when none are named; with
    /// the built-in emergency rule unless the files define an alert of its name
    /// (``RuleFileParser/withEmergencyRule(_:)``). Expressions may use oauthtop's spellings
    /// (``Alerting/MetricAliases/oauthTop``), which the runtime hands the evaluator too.
    ///
    /// - Throws: `ConfigError` with every problem of every rule file.
    public func ruleGroups(configPath: String?, fileReader: FileReader = .fileSystem) throws(ConfigError) -> [RuleGroup]
    {
        let paths = self.ruleFilePaths(configPath: configPath)
        guard !paths.isEmpty else { return RuleFileParser.defaultGroups() }
        return RuleFileParser.withEmergencyRule(
            try RuleFileParser.load(paths: paths, fileReader: fileReader, aliases: .oauthTop)
        )
    }
}
