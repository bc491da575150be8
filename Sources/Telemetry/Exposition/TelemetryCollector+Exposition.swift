extension TelemetryCollector {
    /// The current values of every series in the Prometheus text format 0.0.4.
    ///
    /// Families are sorted by name, each with one `# HELP` (the registered text, or a generic one) and one
    /// `# TYPE` line; series within a family are sorted by labels. Histograms have cumulative `_bucket`
    /// lines with `le` (ending in `+Inf`), then `_sum` and `_count`. Label values escape `\`, `"` and
    /// newlines. The output passes `promtool check metrics`.
    ///
    /// A family that was described with a type but has no series yet (a counter whose labels only
    /// appear with its first increment) still gets its `# HELP` and `# TYPE` lines, so a scrape of a
    /// healthy process shows every documented family.
    ///
    /// - Returns: The exposition text, ending in a newline (empty when nothing was recorded).
    public func exposition() -> String {
        let registry = self.registry.withLock { $0 }
        let families = registry.families
        var output = ""
        let described = registry.descriptions.values.filter { description in
            description.type != nil && families[description.name]?.series.isEmpty ?? true
        }
        let names = Set(families.keys).union(described.map(\.name))
        for name in names.sorted() {
            guard let family = families[name], !family.series.isEmpty else {
                if let description = registry.descriptions[name], let type = description.type {
                    output += "# HELP \(name) \(PrometheusFormat.escapeHelp(description.help))\n"
                    output += "# TYPE \(name) \(type)\n"
                }
                continue
            }
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
