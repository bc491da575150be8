/// The parameters of an `application/x-www-form-urlencoded` body (RFC 6749 Appendix B).
///
/// Only the demo provider parses forms; the encoder both sides use is Primitives' `FormEncoding`.
struct FormParameters: Sendable {
    private(set) var values: [String: String] = [:]
    /// The first parameter that appeared more than once; RFC 6749 §3.2 forbids repeating one.
    private(set) var repeated: String?

    subscript(name: String) -> String? { self.values[name] }

    /// Parses a form body.
    ///
    /// - Returns: `nil` if a name or value is not valid percent-encoded UTF-8.
    static func parse(_ bytes: some Collection<UInt8>) -> FormParameters? {
        var result = FormParameters()
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = formDecode(parts[0]) else { return nil }
            guard let value = parts.count > 1 ? formDecode(parts[1]) : "" else { return nil }
            if result.values[name] != nil, result.repeated == nil {
                result.repeated = name
            }
            result.values[name] = value
        }
        return result
    }
}

/// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte; the result must be UTF-8.
func formDecode(_ bytes: some Collection<UInt8>) -> String? {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var iterator = bytes.makeIterator()
    while let byte = iterator.next() {
        switch byte {
        case UInt8(ascii: "+"):
            output.append(UInt8(ascii: " "))
        case UInt8(ascii: "%"):
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            output.append(high << 4 | low)
        default:
            output.append(byte)
        }
    }
    return String(validating: output, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
