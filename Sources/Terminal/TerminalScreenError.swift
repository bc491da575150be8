/// Why ``TerminalScreen/start(options:)`` could not take over the terminal.
public struct TerminalScreenError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case notATerminal
        case alreadyStarted
        case terminalUnavailable
    }

    private let code: Code
    /// What went wrong, for a person.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Standard input or output is not a terminal (a pipe, a file, or no TTY at all).
    public static let notATerminal = Self(
        .notATerminal,
        "standard input and output must be a terminal for the dashboard; use --headless without one"
    )

    /// `start` was called on a screen that is running or was stopped (a screen starts once).
    public static let alreadyStarted = Self(.alreadyStarted, "the terminal screen was already started")

    /// ncurses could not set up the terminal named by `TERM`.
    public static func terminalUnavailable(term: String?) -> Self {
        Self(
            .terminalUnavailable,
            "ncurses cannot use the terminal type TERM=\(term ?? "(unset)"): no terminfo entry or not a terminal"
        )
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    public var description: String { "TerminalScreenError: \(self.message)" }
}
