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
    /// case); in time independent of where the two differ. White space after the secret is not part of
    /// the value (RFC 9110 §5.5): left out here whichever way the value arrives (NIO's HTTP parser keeps
    /// it; the fast path's `FastTokenRequest` and swift-http-types' `HTTPField` leave it out).
    public func accepts(authorization header: String?) -> Bool {
        guard var header else { return false }
        return header.withUTF8 { self.accepts(bytes: $0) }
    }

    func accepts(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count > 6, bytes[6] == 0x20 else { return false }
        for (index, letter) in "bearer".utf8.enumerated() where bytes[index] | 0x20 != letter { return false }
        var start = 7
        while start < bytes.count, bytes[start] == 0x20 { start += 1 }
        var end = bytes.count
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let given = UnsafeBufferPointer(rebasing: bytes[start..<end])
        var difference = UInt8(given.count == self.expected.count ? 0 : 1)
        for (index, byte) in self.expected.enumerated() {
            difference |= byte ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}

/// Shows only the secret's fingerprint: the default description would list the secret's bytes (a failed
/// test expectation prints its operands this way).
extension BearerSecret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BearerSecret(\(self.secret))" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: ["secret": self.secret]) }
}
