import Alerting

/// A panel query's legend, split once into text and `{{label}}` references, so naming a series each frame
/// is a few appends rather than a search through the template (it was 4% of the idle dashboard's CPU).
struct LegendTemplate: Sendable {
    private enum Part: Sendable {
        case text(String)
        case label(String)
    }

    /// `nil` for an empty legend: the series is named by its labels, as Prometheus writes them.
    private let parts: [Part]?

    init(_ legend: String) {
        guard !legend.isEmpty else {
            self.parts = nil
            return
        }
        var parts: [Part] = []
        var rest = Substring(legend)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            parts.append(.label(rest[open.upperBound..<close.lowerBound].trimmingSpaces))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The name of the series with these labels: each `{{label}}` replaced by the label's value.
    func name(for labels: Labels) -> String {
        guard let parts = self.parts else { return labels.description }
        if parts.count == 1, case .text(let text) = parts[0] { return text }
        var result = ""
        for part in parts {
            switch part {
            case .text(let text): result += text
            case .label(let name): result += labels[name]
            }
        }
        return result
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
