import Testing
import Terminal

@Suite struct AsciiFallbackTests {
    @Test(arguments: [
        ("a", "a"), ("─", "-"), ("═", "-"), ("│", "|"), ("┌", "+"), ("┘", "+"), ("┼", "+"),
        ("█", "#"), ("▁", "#"), ("•", "*"), ("…", "."), ("幅", "?"),
    ])
    func mapsToAscii(input: Unicode.Scalar, expected: Unicode.Scalar) {
        #expect(AsciiFallback.character(for: input) == UInt8(expected.value))
    }
}
