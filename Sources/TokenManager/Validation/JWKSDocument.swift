import Primitives

/// A JSON Web Key Set (RFC 7517 §5), read into the public keys the validator can use.
///
/// Keys the validator cannot use are skipped, as RFC 7517 §5 asks ("implementations SHOULD ignore JWKs
/// within a JWK Set that use kty values that are not understood"): unknown `kty`, `use` other than `sig`,
/// private or symmetric keys (`oct` is never taken from a JWKS), EC curves other than P-256 and OKP
/// curves other than Ed25519. A document that is not a JSON object with a `keys` array is an error.
public struct JWKSDocument: Sendable, Hashable {
    /// One usable public key.
    public struct Key: Sendable, Hashable {
        /// `RSA`, `EC` or `OKP`.
        public var keyType: String
        public var keyID: String?
        /// `alg`, if the key names one.
        public var algorithm: String?
        /// RSA modulus and exponent (base64url).
        public var modulus: String?
        public var exponent: String?
        /// EC coordinates or the OKP public key (base64url).
        public var x: String?
        public var y: String?
        public var curve: String?

        /// The `alg` values this key can verify.
        public var algorithms: Set<String> {
            switch self.keyType {
            case "RSA": ["RS256"]
            case "EC": ["ES256"]
            case "OKP": ["EdDSA"]
            default: []
            }
        }
    }

    public var keys: [Key]
    /// How many entries were skipped as unusable (for the event that reports a fetch).
    public var skipped: Int

    /// The largest document read.
    public static let maximumBytes = 512 * 1024

    /// Parses a JWKS document.
    ///
    /// - Throws: ``TokenValidationFailure`` with check `keys_unavailable` naming what is wrong.
    public static func parse(_ body: [UInt8]) throws(TokenValidationFailure) -> JWKSDocument {
        guard body.count <= self.maximumBytes else {
            throw self.bad("the JWKS document is \(body.count) bytes, over \(self.maximumBytes)")
        }
        guard let root = JSONValue.parse(body) else { throw self.bad("the JWKS document is not JSON") }
        guard let object = root.object else { throw self.bad("the JWKS document is \(root.kind), not an object") }
        guard let entries = object["keys"]?.array else {
            throw self.bad("the JWKS document has no 'keys' array (RFC 7517 §5.1)")
        }
        var keys: [Key] = []
        var skipped = 0
        for entry in entries {
            if let key = self.key(entry) { keys.append(key) } else { skipped += 1 }
        }
        return JWKSDocument(keys: keys, skipped: skipped)
    }

    private static func key(_ entry: JSONValue) -> Key? {
        guard let fields = entry.object, let keyType = fields["kty"]?.string else { return nil }
        if let use = fields["use"] { guard use.string == "sig" else { return nil } }
        // A private key in a published set is a provider's mistake: never use it.
        guard fields["d"] == nil else { return nil }
        if let kid = fields["kid"], kid.string == nil { return nil }
        if let alg = fields["alg"], alg.string == nil { return nil }
        func text(_ name: String) -> String? {
            guard let value = fields[name]?.string, !value.isEmpty,
                CompactJWT.base64URLDecode(value.utf8) != nil
            else { return nil }
            return value
        }
        var key = Key(keyType: keyType, keyID: fields["kid"]?.string, algorithm: fields["alg"]?.string)
        switch keyType {
        case "RSA":
            guard let n = text("n"), let e = text("e") else { return nil }
            key.modulus = n
            key.exponent = e
        case "EC":
            guard fields["crv"]?.string == "P-256", let x = text("x"), let y = text("y") else { return nil }
            (key.x, key.y, key.curve) = (x, y, "P-256")
        case "OKP":
            guard fields["crv"]?.string == "Ed25519", let x = text("x") else { return nil }
            (key.x, key.curve) = (x, "Ed25519")
        default:
            return nil
        }
        if let alg = key.algorithm, !key.algorithms.contains(alg) { return nil }
        return key
    }

    private static func bad(_ detail: String) -> TokenValidationFailure {
        TokenValidationFailure(.keysUnavailable, detail)
    }
}
