/// How ``TerminalScreen/start(options:)`` sets the terminal up.
public struct TerminalOptions: Sendable, Hashable {
    /// Use colours when the terminal has them. `NO_COLOR` (set and non-empty) turns them off
    /// whatever this says.
    public var colors: Bool
    /// Deliver Ctrl-C as ``TerminalKey/ctrlC`` (the terminal in `raw` mode, no SIGINT from the
    /// keyboard) instead of the default, where Ctrl-C is a SIGINT for the process (`cbreak` mode)
    /// and reaches swift-service-lifecycle's graceful shutdown.
    public var ctrlCAsKey: Bool
    /// Which signals restore the terminal before they take effect; see ``TerminalRestoreSignals``.
    public var restoreSignals: TerminalRestoreSignals
    /// How long ncurses waits after Esc for the rest of an escape sequence.
    public var escapeDelay: Duration

    public init(
        colors: Bool = true,
        ctrlCAsKey: Bool = false,
        restoreSignals: TerminalRestoreSignals = .alongsideServiceGroup,
        escapeDelay: Duration = .milliseconds(25)
    ) {
        self.colors = colors
        self.ctrlCAsKey = ctrlCAsKey
        self.restoreSignals = restoreSignals
        self.escapeDelay = escapeDelay
    }
}
