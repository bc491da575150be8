import CNCurses
import Testing
import Terminal

@Suite struct KeyMappingTests {
    @Test(arguments: [
        (RawKeyInput.functionKey(KEY_UP), TerminalKey?.some(.up)),
        (.functionKey(KEY_DOWN), .down),
        (.functionKey(KEY_LEFT), .left),
        (.functionKey(KEY_RIGHT), .right),
        (.functionKey(KEY_BTAB), .backTab),
        (.functionKey(KEY_ENTER), .enter),
        (.functionKey(KEY_RESIZE), .resize),
        (.functionKey(cncurses_key_f(1)), .f1),
        (.functionKey(cncurses_key_f(2)), nil),
        (.functionKey(KEY_NPAGE), nil),
        (.character(9), .tab),
        (.character(13), .enter),
        (.character(10), .enter),
        (.character(27), .escape),
        (.character(3), .ctrlC),
        (.character(1), nil),
        (.character(0x71), .character("q")),
        (.character(0x3F), .character("?")),
        (.character(0x5E45), .character("幅")),
        (.character(0x7F), .character("\u{7F}")),
        (.character(0xD800), nil),
    ])
    func rawInputMapsToKey(input: RawKeyInput, expected: TerminalKey?) {
        #expect(input.key == expected)
    }
}
