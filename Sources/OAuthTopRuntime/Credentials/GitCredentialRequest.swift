/// What git (or any tool speaking git's credential helper protocol, gitcredentials(7)) writes to a
/// helper's stdin: `key=value` lines up to a blank line or the end of input.
///
/// Keys are kept in order, repeated ones (`capability[]`, `wwwauth[]`) included; values are taken
/// as they are (a value may contain `=`). Unknown keys are kept and ignored, as git does.
public struct GitCredentialRequest: Sendable, Hashable {
    /// The most input read: git's own requests are a few hundred bytes.
    public static let maxBytes = 64 * 1024

    /// The attributes, in input order.
    public var attributes: [(key: String, value: String)]

    public init(attributes: [(key: String, value: String)]) {
        self.attributes = attributes
    }

    /// The last value of `key` (git lets a later line override an earlier one), if any.
    public func value(_ key: String) -> String? {
        self.attributes.last { $0.key == key }?.value
    }

    /// `protocol`, e.g. `https`.
    public var `protocol`: String? { self.value("protocol") }
    /// `host`, with a port when the URL has one (`127.0.0.1:8080`).
    public var host: String? { self.value("host") }
    /// `path`, sent only with `credential.useHttpPath`.
    public var path: String? { self.value("path") }
    /// `username`, when the URL or a config names one.
    public var username: String? { self.value("username") }

    /// Parses a helper's input.
    ///
    /// - Parameter bytes: Everything read from stdin (at most ``maxBytes``; pass one more byte to
    ///   have an oversize input refused).
    /// - Returns: The attributes before the first blank line (or the end of input).
    /// - Throws: ``CredentialHelperError`` naming the line: a NUL byte, a line without `=`, an empty key,
    ///   or more than ``maxBytes`` bytes.
    public static func parse(_ bytes: some Collection<UInt8>) throws(CredentialHelperError) -> GitCredentialRequest {
        guard bytes.count <= Self.maxBytes else { throw .tooLarge(bytes.count, limit: Self.maxBytes) }
        var attributes: [(key: String, value: String)] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { break }
            guard !line.contains(0) else { throw .nulByte(line: lineNumber) }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                throw .missingEquals(line: lineNumber)
            }
            guard equals != line.startIndex else { throw .emptyKey(line: lineNumber) }
            let key = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
            let value = String(decoding: line[line.index(after: equals)...], as: UTF8.self)
            attributes.append((key, value))
        }
        return GitCredentialRequest(attributes: attributes)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.attributes.count == rhs.attributes.count
            && zip(lhs.attributes, rhs.attributes).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for attribute in self.attributes {
            hasher.combine(attribute.key)
            hasher.combine(attribute.value)
        }
    }
}
