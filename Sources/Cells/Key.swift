/// A key press (or a resize) as the Terminal target reports it.
public enum Key: Sendable, Hashable {
    /// A printable character, e.g. `r`, `R`, `+`, `?`.
    case character(Character)
    case tab
    /// Shift-Tab.
    case backTab
    case up
    case down
    case left
    case right
    case escape
    case enter
    case f1
    case ctrlC
    /// The terminal changed size; the next frame is rendered at the new size.
    case resize

    /// How the help overlay and the footer write the key.
    ///
    /// - Parameter ascii: Whether to avoid arrows and other non-ASCII symbols.
    public func label(ascii: Bool) -> String {
        switch self {
        case .character(" "): return "space"
        case .character(let character): return String(character)
        case .tab: return "tab"
        case .backTab: return "S-tab"
        case .up: return ascii ? "up" : "↑"
        case .down: return ascii ? "down" : "↓"
        case .left: return ascii ? "left" : "←"
        case .right: return ascii ? "right" : "→"
        case .escape: return "Esc"
        case .enter: return "Enter"
        case .f1: return "F1"
        case .ctrlC: return "C-c"
        case .resize: return "resize"
        }
    }
}
