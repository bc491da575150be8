import Yams

/// Turns YAML text into a node tree, reporting syntax errors with their position.
public enum YAMLDocument {
    /// Composes the single document in `text`.
    ///
    /// A syntax error is reported to `diagnostics` at the position libyaml gives. The offending
    /// line is deliberately not quoted: it may hold a secret.
    ///
    /// - Returns: The root node, `nil` for an empty document or after a syntax error.
    public static func compose(_ text: String, diagnostics: DiagnosticCollector) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            self.report(error, in: text, to: diagnostics)
            return nil
        } catch {
            diagnostics.report("cannot parse YAML: \(type(of: error))", at: nil)
            return nil
        }
    }

    private static func report(_ error: YamlError, in text: String, to diagnostics: DiagnosticCollector) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            diagnostics.report(message, at: SourcePosition(mark))
        case .reader(let problem, let offset, _, _):
            diagnostics.report(
                "cannot read YAML text: \(problem)",
                at: offset.map { self.position(ofOffset: $0, in: text) }
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            diagnostics.report(
                "duplicate key \(keys) in a mapping: each key may appear once",
                at: SourcePosition(context.mark)
            )
        case .dataCouldNotBeDecoded:
            diagnostics.report("the file is not UTF-8 text", at: nil)
        case .no, .memory, .writer, .emitter, .representer:
            diagnostics.report("cannot parse YAML (\(error))", at: nil)
        }
    }

    /// The 1-based line and column (in Unicode scalars) of the character at `offset`.
    private static func position(ofOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for (index, character) in text.enumerated() {
            if index >= offset { break }
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourcePosition(line: line, column: column)
    }
}
