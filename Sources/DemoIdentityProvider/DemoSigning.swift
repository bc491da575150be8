import CryptoExtras
import JWTKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the demo identity provider signs its access tokens.
///
/// HS256 needs a key of at least 32 bytes (jwt-kit asserts on shorter keys in debug builds);
/// RS256 uses a freshly generated 2048-bit key whose public half is available as PEM.
public struct DemoSigning: Sendable {
    private enum Storage: Sendable {
        case hs256([UInt8])
        case rs256(JWTKit.Insecure.RSA.PrivateKey)
    }

    private let storage: Storage

    private init(_ storage: Storage) { self.storage = storage }

    /// The key id (`kid` header) of every token the provider signs.
    public static let keyID = "demo-key"

    /// HS256 with the given shared key.
    ///
    /// - Parameter key: The HMAC key, at least 32 bytes.
    /// - Throws: ``DemoIdentityProviderError/invalidConfiguration(_:)`` if the key is shorter.
    public static func hs256(key: some Sequence<UInt8>) throws -> DemoSigning {
        let bytes = Array(key)
        guard bytes.count >= 32 else {
            throw DemoIdentityProviderError.invalidConfiguration(
                "signing: an HS256 key needs at least 32 bytes, this one has \(bytes.count)"
            )
        }
        return DemoSigning(.hs256(bytes))
    }

    /// HS256 with a random 32-byte key, for when nobody needs to verify tokens independently.
    public static func hs256RandomKey() -> DemoSigning {
        var generator = SystemRandomNumberGenerator()
        return DemoSigning(.hs256((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// RS256 with a newly generated 2048-bit RSA key.
    ///
    /// - Throws: If the key cannot be generated.
    public static func rs256GeneratedKey() throws -> DemoSigning {
        let key = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        return DemoSigning(.rs256(key))
    }

    /// `HS256` or `RS256`, as in the tokens' `alg` header.
    public var algorithm: String {
        switch self.storage {
        case .hs256: "HS256"
        case .rs256: "RS256"
        }
    }

    /// The PEM of the RS256 public key, to verify tokens with; `nil` for HS256.
    public var publicKeyPEM: String? {
        switch self.storage {
        case .hs256: nil
        case .rs256(let key): key.publicKey.pemRepresentation
        }
    }

    /// The public key as JWK members (RFC 7517 §4, RFC 7518 §6.3.1) with the given `kid`; `nil` for HS256,
    /// whose key is never published.
    public func publicJWK(keyID: String) -> [String: String]? {
        guard case .rs256(let key) = self.storage, let primitives = try? key.publicKey.getKeyPrimitives() else {
            return nil
        }
        return [
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
            "n": Self.base64URL(primitives.modulus), "e": Self.base64URL(primitives.publicExponent),
        ]
    }

    /// Adds this configuration's key to `keys` under `keyID`.
    func install(in keys: JWTKeyCollection, keyID: String) async {
        let kid = JWKIdentifier(string: keyID)
        switch self.storage {
        case .hs256(let key):
            await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256, kid: kid)
        case .rs256(let key):
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        }
    }

    /// Base64url without padding (RFC 7515 §2).
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        String(Data(bytes).base64EncodedString().compactMap { character -> Character? in
            switch character {
            case "+": "-"
            case "/": "_"
            case "=": nil
            default: character
            }
        })
    }

    /// A key collection that signs (and verifies) as this configuration says.
    public func makeKeyCollection() async -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        let kid = JWKIdentifier(string: Self.keyID)
        switch self.storage {
        case .hs256(let key):
            await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256, kid: kid)
        case .rs256(let key):
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        }
        return keys
    }
}
