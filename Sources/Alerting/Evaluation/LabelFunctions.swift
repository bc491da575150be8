/// `label_replace` and `label_join`, which rewrite labels and keep the metric name, as in Prometheus.
enum LabelFunctions {
    static func apply(
        _ function: Function, _ elements: [VectorElement], _ strings: [String]
    ) throws(EvaluationError)
        -> [VectorElement]
    {
        switch function {
        case .labelReplace:
            // label_replace(v, dst, replacement, src, regex)
            let (destination, replacement, source, pattern) = (strings[0], strings[1], strings[2], strings[3])
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex("^(?s:" + pattern + ")$")
            } catch {
                throw EvaluationError("label_replace(): invalid regular expression \"\(pattern)\"")
            }
            return elements.map { element in
                let value = element.labels[source]
                guard let match = try? regex.wholeMatch(in: value) else { return element }
                let expanded = self.expand(replacement, match.output)
                return VectorElement(labels: element.labels.setting(destination, to: expanded), value: element.value)
            }
        case .labelJoin:
            // label_join(v, dst, separator, src...)
            let (destination, separator) = (strings[0], strings[1])
            let sources = Array(strings.dropFirst(2))
            return elements.map { element in
                let joined = sources.map { element.labels[$0] }.joined(separator: separator)
                return VectorElement(labels: element.labels.setting(destination, to: joined), value: element.value)
            }
        default:
            return elements
        }
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`; a `$name` takes the longest run of
    /// letters, digits and underscores, and an unknown group expands to nothing.
    static func expand(_ template: String, _ output: AnyRegexOutput) -> String {
        var result = ""
        var characters = Substring(template)
        while let dollar = characters.firstIndex(of: "$") {
            result += characters[..<dollar]
            characters = characters[characters.index(after: dollar)...]
            guard let next = characters.first else {
                result += "$"
                break
            }
            if next == "$" {
                result += "$"
                characters = characters.dropFirst()
                continue
            }
            var name: Substring
            if next == "{" {
                guard let close = characters.firstIndex(of: "}") else {
                    result += "$"
                    continue
                }
                name = characters[characters.index(after: characters.startIndex)..<close]
                characters = characters[characters.index(after: close)...]
            } else {
                name = characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                characters = characters.dropFirst(name.count)
            }
            guard !name.isEmpty else {
                result += "$"
                continue
            }
            if let index = Int(name) {
                if index < output.count, let substring = output[index].substring {
                    result += substring
                }
            } else if let substring = output[String(name)]?.substring {
                result += substring
            }
        }
        return result + characters
    }
}
