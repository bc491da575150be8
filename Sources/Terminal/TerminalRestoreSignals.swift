#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The signals on which ``TerminalScreen`` restores the terminal (`endwin`) itself before the
/// signal takes effect.
///
/// Two paths end a dashboard. The normal one: SIGTERM or SIGINT (Ctrl-C) reaches
/// swift-service-lifecycle's `ServiceGroup`, which shuts down gracefully, and the dashboard service
/// calls ``TerminalScreen/stop()``. The emergency one: a crash, a signal nobody handles, or an error
/// that escapes `main`. Then the handlers installed for these signals (and an `atexit` hook for
/// `exit`) call `endwin`, put back the action the signal had before, and raise it again, so it
/// still reaches that action (Swift's crash reporter, or the default: the process ends).
///
/// ncurses installs SIGINT and SIGTERM handlers of its own (they call `exit`) when those signals
/// have their default action; ``TerminalScreen`` always takes those out again, so they can never
/// pre-empt a graceful shutdown. ncurses keeps its SIGWINCH (resize) and SIGTSTP (Ctrl-Z) handlers.
public struct TerminalRestoreSignals: Sendable, Hashable {
    /// Signals whose handler is always installed.
    public var always: Set<Int32>
    /// Signals whose handler is installed only when, at ``TerminalScreen/start(options:)``, they
    /// have their default action, that is when nothing else (such as a `ServiceGroup`) handles them.
    /// Whoever installs a handler for one later simply replaces ours.
    public var whenUnhandled: Set<Int32>

    public init(always: Set<Int32>, whenUnhandled: Set<Int32> = []) {
        self.always = always
        self.whenUnhandled = whenUnhandled.subtracting(always)
    }

    /// Every signal named in either set.
    public var all: Set<Int32> { self.always.union(self.whenUnhandled) }

    /// Signals that mean the process is crashing: restoring the terminal first makes the crash
    /// report readable, and the previous handler (such as Swift's backtracer) still runs afterwards.
    public static let crash = TerminalRestoreSignals(always: [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP])

    /// The default, for a program run by a swift-service-lifecycle `ServiceGroup`: SIGQUIT and the
    /// crash signals always restore the terminal; SIGTERM, SIGINT and SIGHUP (the terminal closed) only
    /// while nothing else handles them, so the group's graceful shutdown (which ends in
    /// ``TerminalScreen/stop()``, and lets services clean up, e.g. remove token files) wins whether the
    /// group installs its handlers before or after the screen starts.
    public static let alongsideServiceGroup = TerminalRestoreSignals(
        always: Self.crash.always.union([SIGQUIT]),
        whenUnhandled: [SIGTERM, SIGINT, SIGHUP]
    )

    /// For a program without signal handling of its own: SIGTERM, SIGINT, SIGHUP, SIGQUIT and the
    /// crash signals always restore the terminal, then take their previous action.
    public static let standalone = TerminalRestoreSignals(
        always: Self.alongsideServiceGroup.always.union([SIGTERM, SIGINT, SIGHUP])
    )
}
