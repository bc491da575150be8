import Yams

/// Maps a line and column inside a YAML scalar's value back to the file, so an error in a rule expression
/// points at the character in the file: for quoted scalars past the quote, for block scalars (`|`, `>`)
/// on the indented lines below the key, for multi-line plain scalars across their lines.
struct ScalarPositionMap {
    let text: String
    let node: Node

    /// The file position of `line:column` (1-based) in the scalar's value, or `nil` if unknown.
    func position(line: Int, column: Int) -> SourcePosition? {
        guard let mark = self.node.mark, case .scalar(let scalar) = self.node else { return nil }
        let lines = self.text.split(separator: "\n", omittingEmptySubsequences: false)
        switch scalar.style {
        case .literal, .folded:
            // Content starts on the line after the indicator; each value line is one file line for `|`.
            // For `>` the folded value's lines are joined with spaces: walk the file lines.
            let firstContentLine = mark.line + 1
            if scalar.style == .literal {
                let fileLine = firstContentLine + line - 1
                guard fileLine - 1 < lines.count else { return nil }
                // The block's indentation is its first non-empty line's; deeper lines keep the rest as content.
                let blockIndentation =
                    lines[(firstContentLine - 1)...]
                    .first { !$0.allSatisfy { $0 == " " } }
                    .map(self.indentation) ?? 0
                return SourcePosition(line: fileLine, column: blockIndentation + column)
            }
            return self.walk(from: firstContentLine, lines: lines, column: column, startColumn: nil)
        case .singleQuoted, .doubleQuoted:
            if line == 1 {
                return SourcePosition(line: mark.line, column: mark.column + 1 + column - 1)
            }
            return SourcePosition(line: mark.line + line - 1, column: column)
        default:
            if line == 1 {
                return self.walk(from: mark.line, lines: lines, column: column, startColumn: mark.column)
            }
            return SourcePosition(line: mark.line + line - 1, column: column)
        }
    }

    /// Finds the file position of the `column`-th character of a value folded from several file lines
    /// (each line trimmed, joined with one space).
    private func walk(from firstLine: Int, lines: [Substring], column: Int, startColumn: Int?) -> SourcePosition? {
        var remaining = column
        var fileLine = firstLine
        var lineStart = startColumn
        while fileLine - 1 < lines.count {
            let content = lines[fileLine - 1]
            let start = lineStart ?? (self.indentation(content) + 1)
            let length = max(0, content.count - (start - 1))
            let trimmedLength = content.dropFirst(start - 1).reversed().drop(while: { $0 == " " }).count
            // Up to one past the line's last character (the end of the value) stays on this line.
            if remaining <= trimmedLength + 1 || length == 0 && fileLine == lines.count {
                return SourcePosition(line: fileLine, column: start + remaining - 1)
            }
            remaining -= trimmedLength + 1
            fileLine += 1
            lineStart = nil
        }
        return nil
    }

    private func indentation(_ line: Substring) -> Int {
        line.prefix(while: { $0 == " " }).count
    }
}
