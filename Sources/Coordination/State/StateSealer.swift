import Primitives
import Crypto
import Foundation
import TokenManager

/// Seals a provider's ``FleetToken`` into a ``SealedState`` and opens it again: AES-256-GCM under a key
/// that never leaves the process (it comes from `coordination.encryption_key`, from an environment
/// variable or a file).
///
/// A fresh random nonce is drawn for every seal. The provider's name, the format version, the key id
/// and the generation are authenticated data: a state cannot be moved to another provider, nor its
/// clear generation changed, without failing to open.
public struct StateSealer: Sendable {
    private let key: SymmetricKey
    private let keyID: [UInt8]

    /// Label of the key id's HMAC; changing it changes every key id.
    private static let keyIDLabel = Array("oauthtop fleet state key id v1".utf8)
    private static let associatedLabel = Array("oauthtop fleet state v1".utf8)

    /// - Parameter key: 32 bytes.
    /// - Throws: ``SealedStateError`` when the key is not 32 bytes.
    public init(key: [UInt8]) throws(SealedStateError) {
        guard key.count == 32 else { throw .badKey(byteCount: key.count) }
        self.key = SymmetricKey(data: key)
        let mac = HMAC<SHA256>.authenticationCode(for: Self.keyIDLabel, using: self.key)
        self.keyID = Array(Array(mac).prefix(SealedState.keyIDLength))
    }

    /// A key given as 64 hex digits or as base64 of 32 bytes (what `coordination.encryption_key` holds).
    ///
    /// - Throws: ``SealedStateError`` when the text is neither, or not 32 bytes.
    public init(keyText: Secret) throws(SealedStateError) {
        try self.init(key: Self.keyBytes(keyText.revealed))
    }

    /// The bytes of a key written as 64 hex digits or base64; an empty array when the text is neither.
    static func keyBytes(_ text: String) -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.utf8.count == 64, let bytes = Hex.decode(trimmed) { return bytes }
        return Data(base64Encoded: trimmed).map(Array.init) ?? []
    }

    /// Seals `token` for `provider`, under its own generation.
    ///
    /// - Throws: ``SealedStateError`` if the state cannot be encoded or encrypted.
    public func seal(_ token: FleetToken, provider: String) throws(SealedStateError) -> SealedState {
        let plaintext: [UInt8]
        do {
            plaintext = try FleetStateDocument(token).encoded()
        } catch {
            throw .sealingFailed(provider: provider, "the token state could not be encoded")
        }
        let header = [SealedState.version] + self.keyID + SealedState.uint64Bytes(token.generation)
        do {
            let box = try AES.GCM.seal(
                plaintext, using: self.key, nonce: AES.GCM.Nonce(),
                authenticating: Self.associatedData(provider: provider, header: header[...])
            )
            return try SealedState(bytes: header + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag))
        } catch let error as SealedStateError {
            throw error
        } catch {
            throw .sealingFailed(provider: provider, "AES-GCM refused to seal")
        }
    }

    /// Opens a state stored for `provider`.
    ///
    /// - Throws: ``SealedStateError``: ``SealedStateError/isWrongKey`` when it was sealed under another
    ///   key; otherwise it was altered, belongs to another provider, or does not hold a token state.
    public func open(_ sealed: SealedState, provider: String) throws(SealedStateError) -> FleetToken {
        guard Array(sealed.keyID) == self.keyID else { throw .wrongKey(provider: provider) }
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed.nonce), ciphertext: sealed.ciphertext, tag: sealed.tag
            )
            plaintext = Array(
                try AES.GCM.open(
                    box, using: self.key, authenticating: Self.associatedData(provider: provider, header: sealed.header)
                )
            )
        } catch {
            throw .authenticationFailed(provider: provider)
        }
        switch FleetStateDocument.decode(plaintext) {
        case .failure(let problem):
            throw .malformedPayload(provider: provider, problem.detail)
        case .success(let document):
            guard document.generation == sealed.generation else {
                throw .generationMismatch(provider: provider, header: sealed.generation, payload: document.generation)
            }
            return document.token
        }
    }

    /// Reads the JSON inside an opened state, as ``open(_:provider:)`` does after decryption: for the fuzz
    /// harness and tests, which cannot forge a tag.
    ///
    /// - Throws: ``SealedStateError`` naming the field that is wrong (never its value).
    public static func decodePayload(_ bytes: [UInt8], provider: String) throws(SealedStateError) -> FleetToken {
        switch FleetStateDocument.decode(bytes) {
        case .failure(let problem): throw .malformedPayload(provider: provider, problem.detail)
        case .success(let document): return document.token
        }
    }

    private static func associatedData(provider: String, header: ArraySlice<UInt8>) -> [UInt8] {
        Self.associatedLabel + [0] + Array(provider.utf8) + [0] + Array(header)
    }
}
