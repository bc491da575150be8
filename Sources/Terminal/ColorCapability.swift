/// How many colours the terminal can show, as detected by ``TerminalScreen/start(options:)``.
public enum ColorCapability: Sendable, Hashable, CaseIterable {
    /// 24-bit colour numbers are sent as they are (terminfo `RGB` flag, or 2^24 colours).
    case trueColor
    /// The xterm 256-colour palette.
    case indexed256
    /// The 16 ANSI colours (8 normal, 8 bright).
    case ansi16
    /// The 8 normal ANSI colours.
    case ansi8
    /// No colour: `NO_COLOR`, a terminal without colour, or colours turned off by option.
    case monochrome

    /// The capability for a terminal reporting `colors` colours.
    ///
    /// - Parameters:
    ///   - colors: ncurses' `COLORS` after `start_color`.
    ///   - directColor: whether terminfo has the `RGB` flag.
    public init(colors: Int, directColor: Bool) {
        switch colors {
        case _ where directColor || colors >= 1 << 24: self = .trueColor
        case 256...: self = .indexed256
        case 16...: self = .ansi16
        case 8...: self = .ansi8
        default: self = .monochrome
        }
    }
}
