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
}
