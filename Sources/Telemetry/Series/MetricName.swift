/// Rules for Prometheus metric and label names.
enum MetricName {
    /// Replaces characters outside `[a-zA-Z0-9_:]` with `_` and prefixes `_` when the name starts with a digit.
    static func sanitizeMetricName(_ raw: String) -> String {
        self.sanitize(raw, allowColon: true)
    }

    /// Replaces characters outside `[a-zA-Z0-9_]` with `_` and prefixes `_` when the name starts with a digit.
    static func sanitizeLabelName(_ raw: String) -> String {
        self.sanitize(raw, allowColon: false)
    }

    /// The family name of a counter: Prometheus conventions want counters to end in `_total`.
    static func counterFamilyName(_ label: String) -> String {
        let name = self.sanitizeMetricName(label)
        return name.hasSuffix("_total") ? name : name + "_total"
    }

    private static func sanitize(_ raw: String, allowColon: Bool) -> String {
        guard !raw.isEmpty else { return "_" }
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            let isAllowed = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "_" || (allowColon && scalar == ":")
            scalars.append(isAllowed ? scalar : "_")
        }
        if let first = scalars.first, first >= "0" && first <= "9" {
            scalars.insert("_", at: scalars.startIndex)
        }
        return String(scalars)
    }
}
