/// Text rules of the Prometheus exposition format 0.0.4.
enum PrometheusFormat {
    /// The media type of the exposition.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A sample value or `le` bound: integers without a fraction (`3`), others in Swift's shortest
    /// round-tripping form (`0.005`, `1e-07`), `+Inf`, `-Inf`, `NaN`.
    static func value(_ value: Double) -> String {
        if value.isNaN {
            return "NaN"
        }
        if value.isInfinite {
            return value > 0 ? "+Inf" : "-Inf"
        }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A label value between double quotes: `\` becomes `\\`, `"` becomes `\"`, a newline becomes `\n`.
    static func escapeLabelValue(_ raw: String) -> String {
        var result = ""
        result.reserveCapacity(raw.utf8.count)
        for character in raw.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Help text: `\` becomes `\\`, a newline becomes `\n`.
    static func escapeHelp(_ raw: String) -> String {
        var result = ""
        result.reserveCapacity(raw.utf8.count)
        for character in raw.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// `name` or `name{a="x",b="y"}`, labels in the order given.
    static func seriesIdentity(name: String, labels: [LabelPair]) -> String {
        guard !labels.isEmpty else { return name }
        var result = name + "{"
        for (index, label) in labels.enumerated() {
            if index > 0 {
                result += ","
            }
            result += label.name + "=\"" + self.escapeLabelValue(label.value) + "\""
        }
        return result + "}"
    }
}
