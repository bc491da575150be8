import Dashboard
import Yams

/// Parses theme files (`themes/*.theme`, see `docs/themes.md`) into a Dashboard ``Theme``.
///
/// A theme file is a YAML mapping of role to style. A style is a colour (`"#RRGGBB"`, one of the 16 ANSI
/// names, a 256-colour index, or `default` for the terminal's own colour) for the foreground, or a mapping
/// `{fg: COLOUR, bg: COLOUR, bold: true, dim: true, underline: true, reverse: true, italic: true}`. Roles the
/// file leaves out keep the default theme's style.
public enum ThemeFile {
    /// The keys of a style mapping.
    static let styleKeys = ["fg", "bg", "bold", "dim", "underline", "reverse", "italic"]
    static let attributes: [(key: String, value: CellAttributes)] = [
        ("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse), ("italic", .italic),
    ]

    /// Resolves `--theme NAME|PATH`: a built-in theme's name, or the path of a theme file.
    ///
    /// A value containing `/` or ending in `.theme`, `.yaml` or `.yml` is a path; anything else must name a
    /// built-in theme (`default`, `light`, `high-contrast`, `mono`).
    ///
    /// - Parameters:
    ///   - nameOrPath: The name or path.
    ///   - fileReader: How to read files.
    /// - Returns: The theme.
    /// - Throws: `ConfigError` for an unknown name, an unreadable file, or every problem in the file with its
    ///   line and column.
    public static func load(nameOrPath: String, fileReader: FileReader = .fileSystem) throws(ConfigError) -> Theme {
        if let theme = Theme.builtIn(named: nameOrPath) { return theme }
        guard self.isPath(nameOrPath) else {
            let names = Theme.builtIn.map(\.name)
            var message = "unknown theme '\(nameOrPath)'"
            if let suggestion = Suggestion.closest(to: nameOrPath, in: names) {
                message += "; did you mean '\(suggestion)'?"
            }
            message += " (built-in: \(names.joined(separator: ", ")); or give the path of a .theme file)"
            throw .invalid([Diagnostic(file: "--theme", line: 0, column: 0, message: message)])
        }
        let text = try fileReader.text(of: nameOrPath)
        return try self.parse(yaml: text, file: nameOrPath).get()
    }

    /// Resolves a theme as ``load(nameOrPath:fileReader:)`` does, falling back to the default theme on error.
    ///
    /// - Returns: The theme to use and the problems to show the user (empty when it loaded cleanly).
    public static func loadOrDefault(
        nameOrPath: String,
        fileReader: FileReader = .fileSystem
    ) -> (theme: Theme, error: ConfigError?) {
        do {
            return (try self.load(nameOrPath: nameOrPath, fileReader: fileReader), nil)
        } catch {
            return (.default, error)
        }
    }

    /// Parses theme text, collecting every diagnostic.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file's path, for diagnostics; its name without extension becomes the theme's name.
    /// - Returns: The theme when the file has no errors, and all diagnostics.
    public static func parse(yaml: String, file: String) -> ParseOutcome<Theme> {
        let collector = DiagnosticCollector(file: file)
        let reader = YAMLReader(diagnostics: collector)
        var styles: [ThemeRole: CellStyle] = [:]
        if let root = YAMLDocument.compose(yaml, diagnostics: collector) {
            let field = YAMLField(name: "theme", node: root)
            if case .mapping = root,
                let map = reader.mapping(field, allowedKeys: ThemeRole.all.map(\.name), context: "the theme")
            {
                for entry in map.entries {
                    guard let role = ThemeRole.named(entry.key) else { continue }
                    if let style = self.style(YAMLField(name: entry.key, node: entry.value), reader: reader) {
                        styles[role] = style
                    }
                }
            } else if case .mapping = root {
                // reported by the reader
            } else {
                collector.report(
                    "expected a mapping of role to colour (see docs/themes.md), found \(field.foundDescription)",
                    at: field.position
                )
            }
        } else if !collector.hasErrors {
            collector.report("the file is empty; expected a mapping of role to colour (see docs/themes.md)", at: nil)
        }
        return ParseOutcome(value: Theme(name: self.name(ofPath: file), styles: styles), collector: collector)
    }

    /// A theme as file text that ``parse(yaml:file:)`` reads back to the same theme: every role, one per line.
    public static func format(_ theme: Theme) -> String {
        var text = "# oauthtop theme '\(theme.name)': role -> style, see docs/themes.md\n"
        for role in ThemeRole.all {
            let style = theme[role]
            var parts = ["fg: \(self.quoted(style.foreground))", "bg: \(self.quoted(style.background))"]
            for attribute in self.attributes where style.attributes.contains(attribute.value) {
                parts.append("\(attribute.key): true")
            }
            text += "\(role.name): {\(parts.joined(separator: ", "))}\n"
        }
        return text
    }

    static func style(_ field: YAMLField, reader: YAMLReader) -> CellStyle? {
        if case .mapping = field.node {
            guard let map = reader.mapping(field, allowedKeys: self.styleKeys, context: "role '\(field.name)'") else {
                return nil
            }
            var style = CellStyle()
            var valid = true
            if let fg = map["fg"] {
                if let color = self.color(fg, reader: reader) { style.foreground = color } else { valid = false }
            }
            if let bg = map["bg"] {
                if let color = self.color(bg, reader: reader) { style.background = color } else { valid = false }
            }
            for attribute in self.attributes {
                guard let value = map[attribute.key] else { continue }
                guard let flag = reader.bool(value) else {
                    valid = false
                    continue
                }
                if flag { style.attributes.insert(attribute.value) }
            }
            return valid ? style : nil
        }
        guard case .scalar = field.node, !field.isNull else {
            reader.mismatch(field, expected: "a colour or a mapping like {fg: \"#ffffff\", bg: default, bold: true}")
            return nil
        }
        return self.color(field, reader: reader).map { CellStyle(foreground: $0) }
    }

    static func color(_ field: YAMLField, reader: YAMLReader) -> TerminalColor? {
        let expectation = "a colour: \"#RRGGBB\", default, a 256-colour index, or one of "
            + TerminalColor.ansiNames.joined(separator: ", ")
        guard let text = field.scalarText?.trimmingSpaces else {
            reader.mismatch(field, expected: expectation)
            return nil
        }
        if let color = TerminalColor(themeName: text) { return color }
        if let index = Int(text), (0...255).contains(index) { return .indexed(UInt8(index)) }
        var message = "expected \(expectation); found \(field.foundDescription)"
        if text.hasPrefix("#") {
            message = "expected a colour as \"#RRGGBB\" (six hex digits), found \(field.foundDescription)"
        } else if let suggestion = Suggestion.closest(
            to: text.lowercased(),
            in: TerminalColor.ansiNames + ["default"]
        ) {
            message += "; did you mean '\(suggestion)'?"
        }
        reader.error(message, at: field)
        return nil
    }

    private static func quoted(_ color: TerminalColor) -> String {
        let name = color.themeName
        return name.hasPrefix("#") ? "\"\(name)\"" : name
    }

    static func isPath(_ value: String) -> Bool {
        value.contains("/") || value.hasSuffix(".theme") || value.hasSuffix(".yaml") || value.hasSuffix(".yml")
    }

    static func name(ofPath path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }
}
