extension TerminalColor {
    /// The names of the 16 ANSI colours as theme files write them, indexed by colour number:
    /// `black` ... `white`, then `bright_black` ... `bright_white`.
    public static let ansiNames: [String] = {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        return base + base.map { "bright_" + $0 }
    }()

    /// The colour a theme file names: `default`, an ANSI name (``ansiNames``), or `#RRGGBB`.
    ///
    /// - Parameter name: The text, as written (case-insensitive).
    /// - Returns: The colour, or `nil` when the text is none of these.
    public init?(themeName name: String) {
        let text = name.lowercased()
        if text == "default" {
            self = .default
            return
        }
        if let index = Self.ansiNames.firstIndex(of: text) {
            self = .ansi(UInt8(index))
            return
        }
        let digits = Array(text.utf8)
        guard digits.count == 7, digits[0] == UInt8(ascii: "#") else { return nil }
        var components: [UInt8] = []
        for pair in stride(from: 1, to: 7, by: 2) {
            guard let high = Self.hexValue(digits[pair]), let low = Self.hexValue(digits[pair + 1]) else { return nil }
            components.append(high << 4 | low)
        }
        self = .rgb(components[0], components[1], components[2])
    }

    /// How a theme file writes this colour (`default`, `bright_red`, `#1e90ff`, or a 256-colour index).
    public var themeName: String {
        switch self {
        case .default:
            return "default"
        case .ansi(let index):
            return Int(index) < Self.ansiNames.count ? Self.ansiNames[Int(index)] : String(index)
        case .indexed(let index):
            return String(index)
        case .rgb(let red, let green, let blue):
            return "#" + Self.hex(red) + Self.hex(green) + Self.hex(blue)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static func hex(_ value: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(value >> 4)], digits[Int(value & 0x0F)]])
    }
}
