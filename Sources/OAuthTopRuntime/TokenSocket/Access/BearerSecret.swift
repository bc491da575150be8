import Foundation
import Primitives
import TokenManager

/// The per-run secret of the TCP token listener: 32 random bytes as 64 hex digits, written to a
/// 0600 file atomically, compared in constant time, never logged (only its path is).
public struct BearerSecret: Sendable {
    let secret: Secret
    /// The secret's bytes, kept so that each check allocates nothing.
    private let expected: [UInt8]

    /// A new random secret.
    public init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.init(Secret(Hex.encode(bytes)))
    }

    /// A known secret (tests; a client reading the file).
    public init(_ secret: Secret) {
        self.secret = secret
        self.expected = Array(secret.revealed.utf8)
    }

    /// Writes the secret to `path` (mode 0600, atomically: a reader never sees half a secret).
    ///
    /// - Throws: `AtomicFileError` naming the path.
    public func write(to path: String) throws {
        try AtomicFile.write(Array((self.secret.revealed + "\n").utf8), to: path)
    }

    /// Reads a secret file written by ``write(to:)``.
    ///
    /// - Throws: `CocoaError` when the file cannot be read.
    public static func read(from path: String) throws -> BearerSecret {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return BearerSecret(Secret(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// The `Authorization` header value a client sends.
    public var authorizationHeader: String { "Bearer \(self.secret.revealed)" }

    /// Whether an `Authorization` header value is `Bearer SECRET` with this secret (the scheme in any
    /// case); in time independent of where the two differ.
    public func accepts(authorization header: String?) -> Bool {
        guard let header, let space = header.utf8.firstIndex(of: 0x20) else { return false }
        let scheme = header.utf8[..<space]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return false }
        let given = header.utf8[header.utf8.index(after: space)...].drop { $0 == 0x20 }
        var difference = UInt8(given.count == self.expected.count ? 0 : 1)
        var index = given.startIndex
        for byte in self.expected {
            difference |= byte ^ (index < given.endIndex ? given[index] : 0)
            if index < given.endIndex { index = given.index(after: index) }
        }
        return difference == 0
    }
}
