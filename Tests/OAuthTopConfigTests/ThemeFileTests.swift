import Dashboard
import Foundation
import OAuthTopConfig
import Testing

@Suite("Theme files")
struct ThemeFileTests {
    /// The repository's `themes/` directory.
    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    @Test("each shipped theme file parses to its built-in theme", arguments: Theme.builtIn.map(\.name))
    func shippedFiles(name: String) throws {
        let path = Self.themesDirectory + "/\(name).theme"
        let theme = try ThemeFile.load(nameOrPath: path)
        let builtIn = try #require(Theme.builtIn(named: name))
        #expect(theme.name == name)
        for role in ThemeRole.all {
            #expect(theme[role] == builtIn[role], "role \(role)")
        }
        #expect(theme == builtIn)
    }

    @Test("format writes every role and reads back to the same theme", arguments: Theme.builtIn)
    func roundTrip(theme: Theme) throws {
        let text = ThemeFile.format(theme)
        #expect(text.split(separator: "\n").count == ThemeRole.all.count + 1)
        #expect(try ThemeFile.parse(yaml: text, file: "themes/\(theme.name).theme").get() == theme)
    }

    @Test("colours, attributes and fallbacks to the default theme")
    func partialTheme() throws {
        let yaml = """
            # a comment
            title: {fg: "#FFFFFF", bg: default, bold: true, underline: true}
            border: bright_blue
            graph: 208
            breaker_open: {bg: red, reverse: true, bold: false}
            """
        let theme = try ThemeFile.parse(yaml: yaml, file: "/home/me/ocean.theme").get()
        #expect(theme.name == "ocean")
        #expect(theme[.title] == CellStyle(foreground: .rgb(255, 255, 255), attributes: [.bold, .underline]))
        #expect(theme[.border] == CellStyle(foreground: .ansi(12)))
        #expect(theme[.graph] == CellStyle(foreground: .indexed(208)))
        #expect(theme[.breakerOpen] == CellStyle(background: .ansi(1), attributes: [.reverse]))
        #expect(theme[.text] == Theme.default[.text])
        #expect(theme[.paused] == Theme.default[.paused])
    }

    @Test(
        "each mistake is reported with line and column",
        arguments: [
            ("title: cyan\nborderr: red", "2:1", "unknown key 'borderr' in the theme; did you mean 'border'?"),
            ("title: \"#12345\"", "1:8", "title: expected a colour as \"#RRGGBB\" (six hex digits), found '#12345'"),
            ("title: {fg: bleu}", "1:13", "fg: expected a colour"),
            ("title: {fg: red, bold: maybe}", "1:24", "bold: expected true or false, found 'maybe'"),
            ("title: {fg: red, blink: true}", "1:18", "unknown key 'blink' in role 'title'"),
            ("title: [red]", "1:8", "title: expected a colour or a mapping"),
            ("- title", "1:1", "expected a mapping of role to colour"),
            ("title: {fg: red", "2:1", "YAML syntax error"),
        ]
    )
    func mistakes(yaml: String, position: String, message: String) throws {
        let outcome = ThemeFile.parse(yaml: yaml, file: "bad.theme")
        #expect(outcome.value == nil)
        let error = try #require(outcome.errors.first)
        #expect("\(error.line):\(error.column)" == position)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.description.hasPrefix("bad.theme:\(position): error: "))
    }

    @Test("a name resolves to a built-in theme, a path to a file, anything else is an error")
    func resolution() throws {
        #expect(try ThemeFile.load(nameOrPath: "high-contrast", fileReader: .inMemory([:])) == .highContrast)
        let files = ["my.theme": "title: red", "broken.theme": "title: {fg: nope}"]
        let custom = try ThemeFile.load(nameOrPath: "my.theme", fileReader: .inMemory(files))
        #expect(custom[.title].foreground == .ansi(1))

        #expect(throws: ConfigError.self) { try ThemeFile.load(nameOrPath: "lihgt", fileReader: .inMemory([:])) }
        let unknown = ThemeFile.loadOrDefault(nameOrPath: "lihgt", fileReader: .inMemory(files))
        #expect(unknown.theme == .default)
        #expect(unknown.error?.description.contains("did you mean 'light'?") == true)

        let broken = ThemeFile.loadOrDefault(nameOrPath: "broken.theme", fileReader: .inMemory(files))
        #expect(broken.theme == .default)
        #expect(broken.error?.description.hasPrefix("broken.theme:1:13: error: fg: expected a colour") == true)

        let missing = ThemeFile.loadOrDefault(nameOrPath: "none/x.theme", fileReader: .inMemory(files))
        #expect(missing.error?.isUnreadable == true)
    }
}
