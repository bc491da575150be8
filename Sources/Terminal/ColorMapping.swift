import Cells

/// Maps ``Cells/TerminalColor`` values onto the colour numbers a terminal understands.
///
/// Pure functions, no terminal needed: RGB to the nearest xterm-256 index, a 256-colour index to
/// the nearest of the 16 ANSI colours, 16 to 8. Distances are squared Euclidean in RGB, which is
/// what tmux and most terminals use; it is cheap and good enough for status colours.
public enum ColorMapping {
    /// The number ncurses uses for the terminal's own default colour (after `use_default_colors`).
    public static let defaultColorNumber: Int32 = -1

    /// The six intensity levels of the xterm 6x6x6 colour cube (indices 16-231).
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// xterm's default RGB values of the 16 ANSI colours.
    static let ansiPalette: [(red: Int, green: Int, blue: Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
        (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The colour number to give ncurses for `color` on a terminal with `capability`.
    ///
    /// - Returns: ``defaultColorNumber`` for `.default` and on a monochrome terminal; a packed
    ///   `0xRRGGBB` on a true-colour terminal; otherwise a palette index the terminal has.
    public static func colorNumber(for color: TerminalColor, capability: ColorCapability) -> Int32 {
        switch (color, capability) {
        case (.default, _), (_, .monochrome):
            return Self.defaultColorNumber
        case (.ansi(let index), .trueColor):
            // xterm-direct sends numbers below 8 as the classic SGR 30-37 colours; keep those
            // as ANSI, and give the bright ones their RGB so they stay bright.
            guard index >= 8 else { return Int32(index) }
            return Self.packed(Self.rgb(ofXterm256: min(index, 15)))
        case (.indexed(let index), .trueColor):
            return index < 8 ? Int32(index) : Self.packed(Self.rgb(ofXterm256: index))
        case (.rgb(let red, let green, let blue), .trueColor):
            return Self.packed((red, green, blue))
        case (.ansi(let index), .indexed256):
            return Int32(min(index, 15))
        case (.indexed(let index), .indexed256):
            return Int32(index)
        case (.rgb(let red, let green, let blue), .indexed256):
            return Int32(Self.xterm256Index(red: red, green: green, blue: blue))
        case (.ansi(let index), .ansi16):
            return Int32(min(index, 15))
        case (.indexed(let index), .ansi16):
            return Int32(Self.ansi16(fromXterm256: index))
        case (.rgb(let red, let green, let blue), .ansi16):
            return Int32(Self.ansi16(red: red, green: green, blue: blue))
        case (.ansi(let index), .ansi8):
            return Int32(Self.ansi8(fromAnsi16: min(index, 15)))
        case (.indexed(let index), .ansi8):
            return Int32(Self.ansi8(fromAnsi16: Self.ansi16(fromXterm256: index)))
        case (.rgb(let red, let green, let blue), .ansi8):
            return Int32(Self.ansi8(fromAnsi16: Self.ansi16(red: red, green: green, blue: blue)))
        }
    }

    /// The nearest xterm-256 index to an RGB colour: the nearest of the colour cube (16-231)
    /// and of the grey ramp (232-255), whichever is closer.
    public static func xterm256Index(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        let target = (Int(red), Int(green), Int(blue))
        let cube = (Self.nearestCubeLevel(target.0), Self.nearestCubeLevel(target.1), Self.nearestCubeLevel(target.2))
        let cubeIndex = 16 + 36 * cube.0 + 6 * cube.1 + cube.2
        let cubeColor = (Self.cubeLevels[cube.0], Self.cubeLevels[cube.1], Self.cubeLevels[cube.2])

        // Grey ramp: 232 + i is 8 + 10 i for i in 0...23.
        let average = (target.0 + target.1 + target.2) / 3
        let greyStep = min(23, max(0, (average - 8 + 5) / 10))
        let grey = 8 + 10 * greyStep
        let greyIndex = 232 + greyStep

        let cubeDistance = Self.distance(target, cubeColor)
        let greyDistance = Self.distance(target, (grey, grey, grey))
        return UInt8(greyDistance < cubeDistance ? greyIndex : cubeIndex)
    }

    /// The RGB value xterm gives a 256-colour index.
    public static func rgb(ofXterm256 index: UInt8) -> (red: UInt8, green: UInt8, blue: UInt8) {
        switch index {
        case 0..<16:
            let color = Self.ansiPalette[Int(index)]
            return (UInt8(color.red), UInt8(color.green), UInt8(color.blue))
        case 16..<232:
            let offset = Int(index) - 16
            return (
                UInt8(Self.cubeLevels[offset / 36]),
                UInt8(Self.cubeLevels[(offset / 6) % 6]),
                UInt8(Self.cubeLevels[offset % 6])
            )
        default:
            let grey = UInt8(8 + 10 * (Int(index) - 232))
            return (grey, grey, grey)
        }
    }

    /// The nearest of the 16 ANSI colours to a 256-colour index (0-15 map to themselves).
    public static func ansi16(fromXterm256 index: UInt8) -> UInt8 {
        guard index >= 16 else { return index }
        let color = Self.rgb(ofXterm256: index)
        return Self.ansi16(red: color.red, green: color.green, blue: color.blue)
    }

    /// The nearest of the 16 ANSI colours to an RGB colour.
    public static func ansi16(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        let target = (Int(red), Int(green), Int(blue))
        var best = 0
        var bestDistance = Int.max
        for (index, color) in Self.ansiPalette.enumerated() {
            let distance = Self.distance(target, (color.red, color.green, color.blue))
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return UInt8(best)
    }

    /// One of the 8 normal colours for one of the 16: a bright colour becomes its normal one,
    /// except bright black (grey), which becomes white so grey text stays readable on black.
    public static func ansi8(fromAnsi16 index: UInt8) -> UInt8 {
        switch index {
        case 0..<8: index
        case 8: 7
        default: index & 7
        }
    }

    static func packed(_ color: (UInt8, UInt8, UInt8)) -> Int32 {
        Int32(color.0) << 16 | Int32(color.1) << 8 | Int32(color.2)
    }

    private static func nearestCubeLevel(_ value: Int) -> Int {
        // Levels 0, 95, 135, ... are not evenly spaced: the first step is 95, then 40.
        if value < 48 { return 0 }
        if value < 115 { return 1 }
        return min(5, (value - 35) / 40)
    }

    private static func distance(_ lhs: (Int, Int, Int), _ rhs: (Int, Int, Int)) -> Int {
        let red = lhs.0 - rhs.0
        let green = lhs.1 - rhs.1
        let blue = lhs.2 - rhs.2
        return red * red + green * green + blue * blue
    }
}
