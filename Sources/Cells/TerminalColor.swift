/// A colour as a theme names it: the terminal's default, one of the 16 ANSI colours, a
/// 256-colour index, or 24-bit RGB. The Terminal target maps it onto what the terminal supports.
public enum TerminalColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    /// ANSI colours 0-15 (0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white,
    /// 8-15 their bright forms).
    case ansi(UInt8)
    /// xterm 256-colour palette index.
    case indexed(UInt8)
    /// 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)
}
