/// A ``ResponseFieldSelection`` compared on the bytes of field names (ignoring ASCII case), without making a string of
/// each name: the wire path asks it of every field of every response when the hooks read only some.
struct WireFieldMatcher: Sendable {
    /// Lowercase names selected.
    private let names: [[UInt8]]
    /// Lowercase parts of names selected.
    private let parts: [[UInt8]]

    init(_ selection: ResponseFieldSelection) {
        self.names = selection.names.map { Array($0.utf8) }
        self.parts = selection.containing.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// Whether the field name at `range` of `bytes` is selected.
    func selects(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        for name in self.names where name.count == range.count {
            if WireSyntax.equalsIgnoringCase(bytes, range, name) { return true }
        }
        for part in self.parts where part.count <= range.count {
            var start = range.lowerBound
            while start + part.count <= range.upperBound {
                if WireSyntax.equalsIgnoringCase(bytes, start..<(start + part.count), part) { return true }
                start += 1
            }
        }
        return false
    }
}
