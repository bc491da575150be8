import Primitives

/// The parameters of an `application/x-www-form-urlencoded` body (RFC 6749 Appendix B).
///
/// The encoding and decoding both sides use are Primitives' `FormEncoding`.
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
    FormEncoding.decode(component: bytes)
}
