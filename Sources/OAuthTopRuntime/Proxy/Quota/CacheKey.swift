import HTTPTypes

/// Where a response is stored: method, path with query, and the request's values of the header fields the response
/// named in `Vary` (RFC 9111 §4.1), so a response for one `Accept` is not served for another.
struct CacheKey: Hashable, Sendable {
    /// Method and request target (path and query exactly as the client sent them).
    struct Primary: Hashable, Sendable {
        var method: String
        var target: String
    }

    var primary: Primary
    /// The values of the `Vary` fields, in the order of ``VaryNames/names``; `nil` for a field the request lacked.
    var varied: [String?]

    /// The key of `request` for a response that varied on `vary`.
    init(_ primary: Primary, vary: VaryNames, request: HTTPFields) {
        self.primary = primary
        self.varied = vary.names.map { name in
            guard let field = HTTPField.Name(name) else { return nil }
            // Several lines combine with commas; whitespace around them is not significant (§4.1).
            let values = request[values: field].map(\.trimmingOWS)
            return values.isEmpty ? nil : values.joined(separator: ", ")
        }
    }
}

/// The field names of a response's `Vary` (RFC 9110 §12.5.5), lower-cased and sorted, without the ones the proxy
/// replaces (its own credential headers: the upstream saw the proxy's token, the same for every client).
struct VaryNames: Hashable, Sendable {
    var names: [String]

    /// No `Vary`.
    static let none = VaryNames(names: [])

    private init(names: [String]) {
        self.names = names
    }

    /// Reads `Vary`.
    ///
    /// - Returns: The names, or `nil` when the response may not be stored: `Vary: *` (it varies on more than
    ///   the request's fields), or a member that is not a field name.
    init?(lines: [String], ignoring ignored: Set<String>) {
        var names = Set<String>()
        for line in lines {
            for member in line.split(separator: ",", omittingEmptySubsequences: false) {
                let name = member.trimmingOWS
                if name.isEmpty { continue }  // Empty list elements are allowed (RFC 9110 §5.6.1.2).
                guard name != "*",
                    name.utf8.allSatisfy({ $0 < 0x80 && StructuredField.isTokenCharacter($0) })
                else { return nil }
                let lowered = name.lowercased()
                if !ignored.contains(lowered) { names.insert(lowered) }
            }
        }
        self.names = names.sorted()
    }
}
