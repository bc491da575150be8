import Cells
import Testing

@testable import Terminal

@Suite struct ColorMappingTests {
    @Test(arguments: [
        (UInt8(0), UInt8(0), UInt8(0), UInt8(16)),
        (255, 255, 255, 231),
        (255, 0, 0, 196),
        (0, 255, 0, 46),
        (0, 0, 255, 21),
        (95, 135, 175, 67),
        (128, 128, 128, 244),
        (8, 8, 8, 232),
        (238, 238, 238, 255),
        (255, 136, 0, 208),
    ])
    func rgbToNearestXterm256(red: UInt8, green: UInt8, blue: UInt8, expected: UInt8) {
        #expect(ColorMapping.xterm256Index(red: red, green: green, blue: blue) == expected)
    }

    @Test func everyCubeAndGreyColourMapsBackToItself() {
        for index in UInt8(16)...UInt8(255) {
            let color = ColorMapping.rgb(ofXterm256: index)
            let back = ColorMapping.xterm256Index(red: color.red, green: color.green, blue: color.blue)
            #expect(ColorMapping.rgb(ofXterm256: back) == color, "index \(index) came back as \(back)")
        }
    }

    @Test(arguments: [
        (UInt8(3), UInt8(3)),
        (196, 9),
        (46, 10),
        (21, 4),
        (16, 0),
        (231, 15),
        (244, 8),
        (160, 1),
        (226, 11),
    ])
    func xterm256ToAnsi16(index: UInt8, expected: UInt8) {
        #expect(ColorMapping.ansi16(fromXterm256: index) == expected)
    }

    @Test(arguments: [(UInt8(0), UInt8(0)), (7, 7), (8, 7), (9, 1), (10, 2), (12, 4), (15, 7)])
    func ansi16ToAnsi8(index: UInt8, expected: UInt8) {
        #expect(ColorMapping.ansi8(fromAnsi16: index) == expected)
    }

    @Test(arguments: [
        (TerminalColor.default, ColorCapability.trueColor, Int32(-1)),
        (.default, .indexed256, -1),
        (.rgb(255, 0, 0), .monochrome, -1),
        (.rgb(255, 136, 0), .trueColor, 0xFF8800),
        (.rgb(255, 136, 0), .indexed256, 208),
        (.rgb(255, 0, 0), .ansi16, 9),
        (.rgb(255, 0, 0), .ansi8, 1),
        (.ansi(2), .trueColor, 2),
        (.ansi(9), .trueColor, 0xFF0000),
        (.ansi(9), .indexed256, 9),
        (.ansi(9), .ansi16, 9),
        (.ansi(9), .ansi8, 1),
        (.indexed(196), .indexed256, 196),
        (.indexed(196), .ansi16, 9),
        (.indexed(196), .ansi8, 1),
        (.indexed(196), .trueColor, 0xFF0000),
        (.indexed(4), .trueColor, 4),
    ])
    func colourNumberPerCapability(color: TerminalColor, capability: ColorCapability, expected: Int32) {
        #expect(ColorMapping.colorNumber(for: color, capability: capability) == expected)
    }

    @Test(arguments: [
        (0, false, ColorCapability.monochrome),
        (2, false, .monochrome),
        (8, false, .ansi8),
        (16, false, .ansi16),
        (88, false, .ansi16),
        (256, false, .indexed256),
        (256, true, .trueColor),
        (1 << 24, false, .trueColor),
    ])
    func capabilityFromColourCount(colors: Int, directColor: Bool, expected: ColorCapability) {
        #expect(ColorCapability(colors: colors, directColor: directColor) == expected)
    }
}
