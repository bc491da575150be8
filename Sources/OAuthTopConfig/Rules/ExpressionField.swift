import Alerting

extension YAMLReader {
    /// Parses a YAML scalar as a rule-language expression (a rule's `expr:`, a panel's query), reporting
    /// an error at its exact line and column inside the file, however the scalar is quoted or folded.
    ///
    /// - Parameters:
    ///   - field: The scalar holding the expression.
    ///   - fileText: The whole file's text, to map positions inside the scalar onto the file.
    ///   - checkedText: What is parsed, from the scalar's text (e.g. with variables substituted by
    ///     values of the same length, so columns still match); the text itself by default.
    ///   - aliases: The metric-name aliases the expression may use.
    /// - Returns: The scalar's text and its parsed expression, or `nil` after reporting an error.
    func expression(
        _ field: YAMLField,
        fileText: String,
        checkedText: (String) -> String = { $0 },
        aliases: MetricAliases = .none
    ) -> (text: String, expression: RuleExpression)? {
        guard let text = self.nonEmptyString(field) else { return nil }
        do {
            return (text, try RuleExpression.parse(checkedText(text), aliases: aliases))
        } catch {
            let position = ScalarPositionMap(text: fileText, node: field.node)
                .position(line: error.line, column: error.column)
            var message = "\(field.name): \(error.message)"
            if let expected = error.expected,
                error.message.range(of: "(^|[ ,(])expected ", options: .regularExpression) == nil
            {
                message += " (expected \(expected))"
            }
            self.diagnostics.report(message, at: position ?? field.position)
            return nil
        }
    }
}
