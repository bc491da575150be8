extension TelemetryCollector {
    /// The current values of every series in the Prometheus text format 0.0.4.
    ///
    /// Families are sorted by name, each with one `# HELP` (the registered text, or a generic one) and one
    /// `# TYPE` line; series within a family are sorted by labels. Histograms have cumulative `_bucket`
    /// lines with `le` (ending in `+Inf`), then `_sum` and `_count`. Label values escape `\`, `"` and
    /// newlines. The output passes `promtool check metrics`.
    ///
    /// - Returns: The exposition text, ending in a newline (empty when nothing was recorded).
    public func exposition() -> String {
        let registry = self.registry.withLock { $0 }
        let families = registry.families
        var output = ""
        for name in families.keys.sorted() {
            guard let family = families[name], !family.series.isEmpty else { continue }
            let help = Self.description(of: name, in: registry)?.help ?? Self.genericHelp
            output += "# HELP \(name) \(PrometheusFormat.escapeHelp(help))\n"
            output += "# TYPE \(name) \(family.type)\n"
            for labels in family.series.keys.sorted() {
                guard let series = family.series[labels] else { continue }
                let values = series.currentValues()
                for (channel, value) in zip(series.channels, values) {
                    output += PrometheusFormat.seriesIdentity(name: channel.name, labels: channel.labels)
                    output += " " + PrometheusFormat.value(value) + "\n"
                }
            }
        }
        return output
    }
}
