/// A key press or terminal event read by ``TerminalScreen/readKey(timeout:)``.
///
/// The same cases as the dashboard's key type, so the integrator maps one onto the other 1:1.
public enum TerminalKey: Sendable, Hashable {
    /// A printable character (or any character without a case of its own, such as DEL).
    case character(Character)
    case tab
    /// Shift-Tab.
    case backTab
    case up
    case down
    case left
    case right
    /// Esc pressed alone (after the escape delay, so not the start of an escape sequence).
    case escape
    case enter
    case f1
    /// Ctrl-C as a key: only delivered when ``TerminalOptions/ctrlCAsKey`` turns off the terminal's
    /// SIGINT (otherwise Ctrl-C is a SIGINT for the process).
    case ctrlC
    /// The terminal changed size; the next ``TerminalScreen/draw(_:)`` redraws everything.
    case resize
}
