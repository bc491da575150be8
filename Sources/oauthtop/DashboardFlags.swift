import ArgumentParser
import Dashboard
import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import Terminal

/// Options of the dashboard (`demo` without `--headless`, `watch`).
struct DashboardFlags: ParsableArguments {
    @Option(help: ArgumentHelp("A theme: default, light, high-contrast, mono, or a theme file (docs/themes.md).", valueName: "name|path"))
    var theme: String?

    @Flag(help: "Draw with ASCII only (no block characters or box drawing).")
    var ascii = false

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: ArgumentHelp("How often the screen is redrawn, e.g. 1s or 500ms.", valueName: "duration"))
    var refresh: DurationArgument?

    @Option(help: ArgumentHelp("The graphs' time range: 1m, 5m, 15m or 1h (+/- change it).", valueName: "range"))
    var range: String?

    @Option(
        name: .customLong("log-file"),
        help: ArgumentHelp("Write logs to this file; the dashboard owns the terminal, so logs are dropped otherwise.", valueName: "path")
    )
    var logFile: String?

    func validate() throws {
        if let refresh, refresh.duration < .milliseconds(100) { throw ValidationError("--refresh must be at least 100ms") }
        if let range, TimeRange.named(range) == nil { throw ValidationError("--range must be one of 1m, 5m, 15m, 1h") }
    }

    /// The options, with the theme loaded; a bad theme file is reported on stderr and the default used.
    func options(
        configuredTheme: String? = nil,
        dashboard: DashboardDefinition = DashboardFile.defaultDashboard(),
        defaultRange: TimeRange
    ) -> DashboardOptions {
        var theme = Theme.default
        if let name = self.theme ?? configuredTheme {
            let loaded = ThemeFile.loadOrDefault(nameOrPath: name)
            theme = loaded.theme
            if let error = loaded.error {
                FileHandle.standardError.write(Data("\(error)\nusing the default theme\n".utf8))
            }
        }
        let noColor = self.noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        return DashboardOptions(
            theme: theme,
            ascii: self.ascii,
            noColor: noColor,
            refresh: self.refresh?.duration ?? .seconds(1),
            range: self.range.flatMap(TimeRange.named) ?? defaultRange,
            dashboard: dashboard
        )
    }

    /// Exits with a clear message when there is no terminal to draw on.
    static func requireTerminal(command: String, instead: String) throws {
        guard TerminalScreen.isTerminal else {
            FileHandle.standardError.write(
                Data("oauthtop \(command): the dashboard needs a terminal on stdin and stdout; use \(instead) for JSON events instead\n".utf8)
            )
            throw ExitCode(2)
        }
    }
}
