import Foundation
import Primitives

/// A compact-serialised JWT (RFC 7519 §3, RFC 7515 §7.1) read without verifying its signature: the one
/// JWT reader of the manager (the token response parser takes `exp` from it, the validator everything).
///
/// The reader is strict where RFC 7515 is: three parts separated by `.`, each base64url without padding
/// (RFC 7515 §2), a header and a payload that are JSON objects, `alg` a string, and the registered claims
/// of the types RFC 7519 §4.1 gives them (`exp`, `nbf`, `iat` numbers; `iss` a string; `aud` a string or
/// an array of strings). Anything else is a ``TokenValidationFailure/Check/structure`` failure that says
/// which part is wrong, never quoting the token.
public struct CompactJWT: Sendable {
    /// The largest token read; bigger ones are refused as broken rather than decoded.
    public static let maximumLength = 64 * 1024

    /// The JOSE header.
    public let header: [String: JSONValue]
    /// The claims.
    public let payload: [String: JSONValue]
    /// The decoded signature (empty for an unsecured JWT).
    public let signature: [UInt8]

    /// `alg` of the header.
    public var algorithm: String { self.header["alg"]?.string ?? "" }
    /// `kid` of the header, if any.
    public var keyID: String? { self.header["kid"]?.string }
    /// `exp` in Unix seconds (issuer's clock), if present.
    public var expiry: Double? { self.payload["exp"]?.number }
    /// `nbf` in Unix seconds, if present.
    public var notBefore: Double? { self.payload["nbf"]?.number }
    /// `iat` in Unix seconds, if present.
    public var issuedAt: Double? { self.payload["iat"]?.number }
    /// `iss`, if present.
    public var issuer: String? { self.payload["iss"]?.string }
    /// `aud` as a list (RFC 7519 §4.1.3 allows a single string), empty when absent.
    public var audiences: [String] {
        switch self.payload["aud"] {
        case .string(let single)?: [single]
        case .array(let items)?: items.compactMap(\.string)
        default: []
        }
    }

    /// Whether `token` has the shape of a compact JWS (three non-empty dot-separated parts, the first
    /// starting like a JSON object's base64url), used to tell a JWT from an opaque token.
    public static func looksLikeJWT(_ token: String) -> Bool {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 3 && token.utf8.starts(with: "eyJ".utf8)
    }

    /// Reads a compact JWT.
    ///
    /// - Parameter token: The token as issued.
    /// - Returns: Its header, claims and signature.
    /// - Throws: ``TokenValidationFailure`` with check `structure`, naming the part that is wrong.
    public static func parse(_ token: String) throws(TokenValidationFailure) -> CompactJWT {
        let bytes = Array(token.utf8)
        guard bytes.count <= self.maximumLength else {
            throw self.broken("the token is \(bytes.count) bytes long, over \(self.maximumLength)")
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw self.broken("a compact JWT has 3 parts separated by '.', this token has \(parts.count)")
        }
        let names = ["header", "payload", "signature"]
        var decoded: [[UInt8]] = []
        for (index, part) in parts.enumerated() {
            guard let value = self.base64URLDecode(part) else {
                throw self.broken("the \(names[index]) is not base64url (RFC 7515 §2: A-Z a-z 0-9 - _, no padding)")
            }
            decoded.append(value)
        }
        guard !parts[0].isEmpty, !parts[1].isEmpty else {
            throw self.broken("the \(parts[0].isEmpty ? "header" : "payload") is empty")
        }
        guard let header = JSONValue.parse(decoded[0])?.object else {
            throw self.broken("the header is not a JSON object")
        }
        guard let payload = JSONValue.parse(decoded[1])?.object else {
            throw self.broken("the payload is not a JSON object")
        }
        guard let algorithm = header["alg"]?.string, !algorithm.isEmpty, algorithm.utf8.count <= 32 else {
            throw self.broken("the header has no 'alg' string of at most 32 characters (RFC 7515 §4.1.1)")
        }
        if let kid = header["kid"], kid.string == nil {
            throw self.broken("the header's 'kid' is not a string")
        }
        for claim in ["exp", "nbf", "iat"] {
            guard let value = payload[claim] else { continue }
            guard let number = value.number, number.isFinite else {
                throw self.broken("the claim '\(claim)' is not a NumericDate (a JSON number), found \(Self.typeName(value))")
            }
        }
        if let iss = payload["iss"], iss.string == nil {
            throw self.broken("the claim 'iss' is not a string, found \(Self.typeName(iss))")
        }
        if let aud = payload["aud"] {
            let valid = aud.string != nil || (aud.array.map { $0.allSatisfy { $0.string != nil } } ?? false)
            guard valid else { throw self.broken("the claim 'aud' is not a string or an array of strings") }
        }
        return CompactJWT(header: header, payload: payload, signature: decoded[2])
    }

    /// Strict base64url (RFC 4648 §5) without padding; `nil` for any other character or an impossible length.
    public static func base64URLDecode(_ part: some Collection<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(part.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in part {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // One leftover character (6 bits) cannot encode a byte: the length is impossible.
        if bits >= 6 { return nil }
        return output
    }

    /// The JSON type of a value, for messages: claim values come from the token, so they are not quoted.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private static func broken(_ detail: String) -> TokenValidationFailure {
        TokenValidationFailure(.structure, detail)
    }
}

/// Reads claims of a compact JWT without verifying it (verification is the validation layer's job).
public enum JWTClaims {
    /// The `exp` claim, if `token` is a structurally valid compact JWT whose payload has a numeric `exp`.
    public static func expiry(ofCompactJWT token: String) -> Double? {
        guard CompactJWT.looksLikeJWT(token), let value = try? CompactJWT.parse(token).expiry else { return nil }
        return value.isFinite && value > 0 ? value : nil
    }
}
