/// The directives of a `Cache-Control` field (RFC 9111 §5.2) that the proxy's response cache honours.
///
/// Outside input: a malformed field is reported (``malformed``) and the caller treats the response as not
/// storable, the safe reading of an unreadable instruction. An unreadable or repeated `max-age`/`s-maxage` keeps the
/// most restrictive value, as §4.2.1 advises for conflicting directives.
struct CacheControl: Hashable, Sendable {
    var maxAge: Int64?
    var sMaxAge: Int64?
    var noStore = false
    /// `no-cache` (with or without field names): a stored response may not be used without revalidation, which
    /// this cache never does, so it is not served (and not stored).
    var noCache = false
    var isPrivate = false
    var isPublic = false
    /// Why the field could not be read, when it could not.
    var malformed: String?

    /// The empty set of directives (no `Cache-Control` field).
    init() {}

    /// Parses every line of a `Cache-Control` field: `#cache-directive`, each
    /// `token [ "=" ( token / quoted-string ) ]`.
    init(lines: [String]) {
        for line in lines {
            var rest = Substring(line)
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
                guard !rest.isEmpty else { break }
                let name = rest.prefix { $0.isASCII && $0.asciiValue.map(StructuredField.isTokenCharacter) == true }
                guard !name.isEmpty else {
                    self.malformed = "a directive that is not a token"
                    return
                }
                rest = rest.dropFirst(name.count)
                var argument: String?
                if rest.first == "=" {
                    rest = rest.dropFirst()
                    if rest.first == "\"" {
                        guard let (text, after) = Self.quoted(rest) else {
                            self.malformed = "an unterminated quoted string"
                            return
                        }
                        argument = text
                        rest = after
                    } else {
                        let token = rest.prefix {
                            $0.isASCII && $0.asciiValue.map(StructuredField.isTokenCharacter) == true
                        }
                        argument = String(token)
                        rest = rest.dropFirst(token.count)
                    }
                }
                rest = rest.drop { $0 == " " || $0 == "\t" }
                guard rest.isEmpty || rest.first == "," else {
                    self.malformed = "a directive not followed by a comma"
                    return
                }
                self.apply(name.lowercased(), argument)
            }
        }
    }

    private mutating func apply(_ name: String, _ argument: String?) {
        switch name {
        case "max-age": self.maxAge = Self.restrictive(self.maxAge, Self.seconds(argument))
        case "s-maxage": self.sMaxAge = Self.restrictive(self.sMaxAge, Self.seconds(argument))
        case "no-store": self.noStore = true
        case "no-cache": self.noCache = true
        case "private": self.isPrivate = true
        case "public": self.isPublic = true
        default: break  // Unknown directives are ignored (§5.2.3).
        }
    }

    /// delta-seconds (§1.2.2): digits; an unreadable value counts as 0 (stale), a huge one as 2^31 seconds.
    private static func seconds(_ argument: String?) -> Int64 {
        guard let argument, !argument.isEmpty, argument.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return 0
        }
        return Int64(argument.prefix(10)).map { min($0, 2_147_483_648) } ?? 0
    }

    private static func restrictive(_ old: Int64?, _ new: Int64) -> Int64 {
        old.map { min($0, new) } ?? new
    }

    /// A quoted-string (RFC 9110 §5.6.4) at the start of `text`: its content and what follows it.
    private static func quoted(_ text: Substring) -> (String, Substring)? {
        var content = ""
        var rest = text.dropFirst()
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "\"": return (content, rest)
            case "\\":
                guard let escaped = rest.first else { return nil }
                content.append(escaped)
                rest = rest.dropFirst()
            default: content.append(character)
            }
        }
        return nil
    }
}
