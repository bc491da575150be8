import Primitives
import Testing

@Suite("Hex")
struct HexTests {
    @Test("bytes to lower-case digits and back, either case read; odd lengths and other characters are nil")
    func roundTrip() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode("000fA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("") == [])
        for bad in ["0", "0g", "0x00", " 00", "é0"] { #expect(Hex.decode(bad) == nil, "\(bad)") }
    }
}
