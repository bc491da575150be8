import Foundation

/// A label or annotation template, in the subset of Go's text/template that alert rules use:
/// `{{ $labels.NAME }}`, `{{ $value }}`, `{{ .Labels.NAME }}`, `{{ .Value }}`, `{{ $externalLabels.NAME }}`,
/// the functions `humanize`, `humanizePercentage`, `humanizeDuration`, `toUpper`, `toLower` and
/// `printf "FORMAT" ARG`, called as `{{ f $value }}` or piped as `{{ $value | f }}`.
///
/// `$value` prints as Go prints a float64 (`0.25`, `1e+06`), so annotations read the same as Prometheus's.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    indirect enum Operand: Sendable, Hashable {
        case value
        case label(String)
        case externalLabel(String)
        case literal(String)
        case call(String, [Operand])
    }

    enum Part: Sendable, Hashable {
        case text(String)
        case action(Operand)
    }

    /// The template as written.
    public let source: String
    let parts: [Part]

    static let functions: Set<String> = [
        "humanize", "humanizePercentage", "humanizeDuration", "toUpper", "toLower", "printf",
    ]

    /// Parses a template.
    ///
    /// - Throws: ``TemplateError`` with the character offset of the action that is not understood.
    public init(_ source: String) throws(TemplateError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        var offset = 0
        while let open = rest.range(of: "{{") {
            let text = rest[rest.startIndex..<open.lowerBound]
            if !text.isEmpty {
                parts.append(.text(String(text)))
            }
            offset += text.count
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError(offset: offset, message: "unclosed action: expected '}}'")
            }
            var body = String(rest[open.upperBound..<close.lowerBound])
            // `{{-` and `-}}` trim spaces in Go; the content is the same.
            if body.hasPrefix("-") { body.removeFirst() }
            if body.hasSuffix("-") { body.removeLast() }
            parts.append(.action(try Self.parseAction(body, offset: offset)))
            offset += rest[open.lowerBound..<close.upperBound].count
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty {
            parts.append(.text(String(rest)))
        }
        self.parts = parts
    }

    /// A template without actions.
    public static func literal(_ text: String) -> Template {
        Template(source: text.replacingOccurrences(of: "{{", with: "{{ \"{{\" }}"), parts: [.text(text)])
    }

    private init(source: String, parts: [Part]) {
        self.source = source
        self.parts = parts
    }

    public var description: String { self.source }

    /// Whether the template has no actions.
    public var isLiteral: Bool { self.parts.allSatisfy { if case .text = $0 { true } else { false } } }

    /// Expands the template for one alert.
    public func expand(labels: Labels, value: Double, externalLabels: [String: String] = [:]) -> String {
        var out = ""
        for part in self.parts {
            switch part {
            case .text(let text): out += text
            case .action(let operand): out += Self.render(Self.evaluate(operand, labels, value, externalLabels))
            }
        }
        return out
    }

    // MARK: - Parsing

    private static func parseAction(_ body: String, offset: Int) throws(TemplateError) -> Operand {
        let stages = try self.splitPipeline(body, offset: offset)
        var operand: Operand?
        for stage in stages {
            let words = try self.words(stage, offset: offset)
            guard let first = words.first else {
                throw TemplateError(offset: offset, message: "empty action")
            }
            if self.functions.contains(first) {
                var arguments = try words.dropFirst().map { word throws(TemplateError) in
                    try self.operand(word, offset: offset)
                }
                if let previous = operand {
                    arguments.append(previous)
                }
                guard !arguments.isEmpty else {
                    throw TemplateError(offset: offset, message: "\(first) needs an argument")
                }
                operand = .call(first, arguments)
            } else {
                guard operand == nil, words.count == 1 else {
                    throw TemplateError(
                        offset: offset,
                        message: "unknown function \"\(first)\"; known: "
                            + self.functions.sorted().joined(separator: ", "))
                }
                operand = try self.operand(first, offset: offset)
            }
        }
        guard let operand else {
            throw TemplateError(offset: offset, message: "empty action")
        }
        return operand
    }

    private static func operand(_ word: String, offset: Int) throws(TemplateError) -> Operand {
        if word == "$value" || word == ".Value" {
            return .value
        }
        for prefix in ["$labels.", ".Labels."] where word.hasPrefix(prefix) {
            return .label(String(word.dropFirst(prefix.count)))
        }
        if word.hasPrefix("$externalLabels.") {
            return .externalLabel(String(word.dropFirst("$externalLabels.".count)))
        }
        if word.hasPrefix("\""), word.hasSuffix("\""), word.count >= 2 {
            return .literal(String(word.dropFirst().dropLast()).replacingOccurrences(of: "\\n", with: "\n"))
        }
        if Double(word) != nil {
            return .literal(word)
        }
        throw TemplateError(
            offset: offset,
            message: "unknown operand \"\(word)\"; use $labels.NAME, $value, $externalLabels.NAME or a quoted string"
        )
    }

    private static func splitPipeline(_ body: String, offset: Int) throws(TemplateError) -> [String] {
        var stages: [String] = []
        var current = ""
        var inString = false
        for character in body {
            if character == "\"" {
                inString.toggle()
            }
            if character == "|", !inString {
                stages.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !inString else {
            throw TemplateError(offset: offset, message: "unterminated string in action")
        }
        stages.append(current)
        return stages
    }

    private static func words(_ stage: String, offset: Int) throws(TemplateError) -> [String] {
        var words: [String] = []
        var current = ""
        var inString = false
        for character in stage {
            if character == "\"" {
                inString.toggle()
                current.append(character)
            } else if character.isWhitespace, !inString {
                if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty {
            words.append(current)
        }
        return words
    }

    // MARK: - Expansion

    private enum Datum {
        case number(Double)
        case text(String)
    }

    private static func evaluate(
        _ operand: Operand, _ labels: Labels, _ value: Double, _ external: [String: String]
    ) -> Datum {
        switch operand {
        case .value: return .number(value)
        case .label(let name): return .text(labels[name])
        case .externalLabel(let name): return .text(external[name] ?? "")
        case .literal(let text): return .text(text)
        case .call(let name, let arguments):
            let data = arguments.map { self.evaluate($0, labels, value, external) }
            return .text(self.call(name, data))
        }
    }

    private static func number(_ datum: Datum) -> Double {
        switch datum {
        case .number(let value): value
        case .text(let text): Double(text) ?? .nan
        }
    }

    private static func render(_ datum: Datum) -> String {
        switch datum {
        case .number(let value): GoFloatFormat.format(value)
        case .text(let text): text
        }
    }

    private static func call(_ name: String, _ data: [Datum]) -> String {
        switch name {
        case "humanize": return Humanize.number(self.number(data[0]))
        case "humanizePercentage": return Humanize.percentage(self.number(data[0]))
        case "humanizeDuration": return Humanize.duration(self.number(data[0]))
        case "toUpper": return self.render(data[0]).uppercased()
        case "toLower": return self.render(data[0]).lowercased()
        case "printf":
            guard case .text(let format) = data[0] else { return self.render(data[0]) }
            return GoFloatFormat.printf(
                format,
                data.dropFirst().map { datum in
                    switch datum {
                    case .number(let value): .number(value)
                    case .text(let text): .text(text)
                    }
                })
        default: return ""
        }
    }
}

/// A template that cannot be parsed.
public struct TemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Character offset of the action in the template.
    public let offset: Int
    public let message: String

    public var description: String { self.message }
}
