/// `application/x-www-form-urlencoded` encoding (WHATWG URL §5.2), as RFC 6749 Appendix B asks for
/// token request bodies and for the client credentials of HTTP Basic authentication (§2.3.1).
public enum FormEncoding {
    /// Encodes one name or value: unreserved bytes as they are, a space as `+`, everything else as
    /// `%XX` (upper-case hex) of its UTF-8 bytes.
    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (byte < 16 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Encodes name-value pairs as a form body, `name=value` joined with `&`, in the given order.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
    }

    /// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte.
    ///
    /// - Returns: The text, or `nil` when a `%` is not followed by two hex digits or the bytes are not UTF-8.
    public static func decode(component bytes: some Collection<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Hex.digitValue),
                    let low = iterator.next().flatMap(Hex.digitValue)
                else { return nil }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Decodes a form body or a URL's query, `name=value` pairs joined with `&`, in their order (a name may repeat;
    /// a pair without `=` has the value `""`).
    ///
    /// - Returns: The pairs, or `nil` when a name or value is not valid percent-encoded UTF-8.
    public static func decode(_ bytes: some Collection<UInt8>) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(component: parts[0]) else { return nil }
            guard let value = parts.count > 1 ? Self.decode(component: parts[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }
}
