/// A line of text in parts, each with its theme role: what the detail view lays out in columns.
struct StyledLine: Sendable {
    var parts: [(text: String, role: ThemeRole)]

    init(_ parts: [(text: String, role: ThemeRole)] = []) {
        self.parts = parts
    }

    init(_ text: String, _ role: ThemeRole) {
        self.parts = [(text, role)]
    }

    /// A label padded to `width` in the muted role, then a value: `  expires    22:58:30`.
    static func field(_ label: String, _ value: String, _ role: ThemeRole = .value, width: Int = 12) -> StyledLine {
        StyledLine([("  " + label.padded(to: width), .muted), (value, role)])
    }

    /// Appends a part.
    mutating func append(_ text: String, _ role: ThemeRole) {
        self.parts.append((text, role))
    }

    /// Draws the line from (`x`, `y`), clipped at `maxX`.
    func draw(x: Int, y: Int, maxX: Int, theme: Theme, into grid: inout CellGrid) {
        var column = x
        for part in self.parts where column < maxX {
            column += grid.write(part.text, x: column, y: y, style: theme[part.role], maxWidth: maxX - column)
        }
    }

    /// `text` cut into lines of at most `width` characters, at spaces where it can.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.count <= width {
                lines.append(String(rest))
                break
            }
            let limit = rest.index(rest.startIndex, offsetBy: width)
            let cut = rest[..<limit].lastIndex(of: " ").map { $0 > rest.startIndex ? $0 : limit } ?? limit
            lines.append(String(rest[..<cut]))
            rest = rest[cut...].drop { $0 == " " }
        }
        return lines
    }
}
