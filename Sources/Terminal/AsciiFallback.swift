/// ASCII stand-ins for a terminal without a UTF-8 locale, where box drawing would print as
/// `lqqk` or `?`.
public enum AsciiFallback {
    /// The ASCII character to show for `scalar`: itself when it is ASCII, `-`, `|` or `+` for box
    /// drawing, `#` for block elements, `?` otherwise.
    public static func character(for scalar: Unicode.Scalar) -> UInt8 {
        let value = scalar.value
        if value < 0x80 { return UInt8(value) }
        switch value {
        case 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254C, 0x254D, 0x2550, 0x2574, 0x2576, 0x2578, 0x257A,
            0x257C, 0x257E:
            return UInt8(ascii: "-")
        case 0x2502, 0x2503, 0x2506, 0x2507, 0x250A, 0x250B, 0x254E, 0x254F, 0x2551, 0x2575, 0x2577, 0x2579, 0x257B,
            0x257D, 0x257F:
            return UInt8(ascii: "|")
        case 0x2500...0x257F:
            return UInt8(ascii: "+")
        case 0x2580...0x259F, 0x25A0, 0x25AA, 0x25FC:
            return UInt8(ascii: "#")
        case 0x2022, 0x25CF, 0x00B7:
            return UInt8(ascii: "*")
        case 0x2026:
            return UInt8(ascii: ".")
        default:
            return UInt8(ascii: "?")
        }
    }
}
