import CNCurses

/// What ncurses' `wget_wch` delivered: a character, or a key code (`KEY_CODE_YES`).
public enum RawKeyInput: Sendable, Hashable {
    /// A character code (`OK` from `wget_wch`).
    case character(UInt32)
    /// A function-key code such as `KEY_UP` (`KEY_CODE_YES` from `wget_wch`).
    case functionKey(Int32)

    /// The key this input means, or `nil` for keys the dashboard has no use for.
    ///
    /// Enter arrives as 13 (we run with `nonl`), 10 (without), or `KEY_ENTER` (keypad); Tab as 9;
    /// a lone Esc as 27; Ctrl-C as 3 when the terminal does not turn it into SIGINT.
    public var key: TerminalKey? {
        switch self {
        case .character(let code):
            switch code {
            case 3: return .ctrlC
            case 9: return .tab
            case 10, 13: return .enter
            case 27: return .escape
            case 0..<0x20: return nil
            default:
                guard let scalar = Unicode.Scalar(code) else { return nil }
                return .character(Character(scalar))
            }
        case .functionKey(let code):
            switch code {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_RESIZE: return .resize
            case KEY_BACKSPACE: return .character("\u{7F}")
            case cncurses_key_f(1): return .f1
            default: return nil
            }
        }
    }
}
