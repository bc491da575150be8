import DemoIdentityProvider
import Foundation
import JWTKit
import Primitives
@testable import TokenManager

/// Claims for tokens the tests sign themselves: only what the validator reads.
struct TestClaims: JWTPayload {
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var iss: String?
    var aud: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signing keys of every supported algorithm and their JWKS, made once per test.
struct ValidationKeys: Sendable {
    static let jwksURL = "https://idp.test/jwks"
    static let issuer = "https://idp.test"
    /// 40 bytes: jwt-kit asserts on HMAC keys under 32 bytes in debug builds.
    static let sharedSecret = "validation-test-shared-secret-0123456789"

    let rsa: DemoSigning
    let rsaKeys: JWTKeyCollection
    let ecdsa = ES256PrivateKey()
    let eddsa: EdDSA.PrivateKey

    init() async throws {
        self.rsa = try DemoSigning.rs256GeneratedKey()
        self.rsaKeys = await self.rsa.makeKeyCollection()
        self.eddsa = try EdDSA.PrivateKey(curve: .ed25519)
    }

    /// The JWKS with the RSA key (`demo-key`), the EC key (`ec-key`) and the Ed25519 key (`ed-key`).
    func jwks(rsaKeyID: String = DemoSigning.keyID) throws -> String {
        var keys: [[String: String]] = []
        if var rsa = self.rsa.publicJWK(keyID: rsaKeyID) {
            rsa["kid"] = rsaKeyID
            keys.append(rsa)
        }
        let ec = try require2(self.ecdsa.publicKey.parameters)
        keys.append(["kty": "EC", "crv": "P-256", "kid": "ec-key", "x": ec.x, "y": ec.y, "use": "sig"])
        let x = Self.base64URL(self.eddsa.publicKey.rawRepresentation)
        keys.append(["kty": "OKP", "crv": "Ed25519", "kid": "ed-key", "x": x])
        let data = try JSONSerialization.data(withJSONObject: ["keys": keys])
        return String(decoding: data, as: UTF8.self)
    }

    func rs256(_ claims: TestClaims, kid: String = DemoSigning.keyID) async throws -> String {
        // The demo's collection signs with its default (only) key whatever the kid names.
        try await self.rsaKeys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    func es256(_ claims: TestClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: self.ecdsa, kid: "ec-key")
        return try await keys.sign(claims, kid: "ec-key")
    }

    func edDSA(_ claims: TestClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: self.eddsa, kid: "ed-key")
        return try await keys.sign(claims, kid: "ed-key")
    }

    func hs256(_ claims: TestClaims, secret: String = ValidationKeys.sharedSecret, kid: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256)
        var header = JWTHeader()
        if let kid { header.kid = kid }
        return try await keys.sign(claims, header: header)
    }

    static func base64URL(_ data: some Sequence<UInt8>) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// An unsigned JWT of `header` and `payload` JSON, with `signature` as its third part.
    static func compact(header: String, payload: String, signature: String = "") -> String {
        "\(Self.base64URL(Array(header.utf8))).\(Self.base64URL(Array(payload.utf8))).\(signature)"
    }
}

struct MissingValue: Error {}

/// `#require` for use outside a test function body.
func require2<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
