/// A provider's fleet state as stored: a short header in clear, then the AES-GCM sealed token state.
///
/// Layout (big-endian): `version (1) | key id (8) | generation (8) | nonce (12) | ciphertext | tag (16)`.
/// The generation is in clear so that the store can compare it (the compare-and-set) without the key;
/// the whole header is authenticated, with the provider's name, so changing it or moving the state to
/// another provider's key fails to open. The key id is the first 8 bytes of HMAC-SHA256(key, a fixed
/// label): it tells a state sealed under another key from an altered one, and gives nothing about the key.
public struct SealedState: Sendable, Hashable {
    /// The format version this code writes and reads.
    public static let version: UInt8 = 1
    static let keyIDLength = 8
    static let nonceLength = 12
    static let tagLength = 16
    /// Version, key id and generation: the authenticated header.
    static let headerLength = 1 + keyIDLength + 8
    /// The smallest possible sealed state (an empty ciphertext).
    public static let minimumLength = headerLength + nonceLength + tagLength

    /// The stored bytes.
    public let bytes: [UInt8]
    /// The generation written in the header.
    public let generation: UInt64

    /// Reads the header of stored bytes.
    ///
    /// - Throws: ``SealedStateError`` when the bytes are too short or of another format version.
    public init(bytes: [UInt8]) throws(SealedStateError) {
        guard bytes.count >= Self.minimumLength else {
            throw .truncated(byteCount: bytes.count, minimum: Self.minimumLength)
        }
        guard bytes[0] == Self.version else { throw .unsupportedVersion(bytes[0]) }
        self.bytes = bytes
        self.generation = Self.readUInt64(bytes, at: 1 + Self.keyIDLength)
    }

    /// The key id in the header.
    var keyID: ArraySlice<UInt8> { self.bytes[1..<(1 + Self.keyIDLength)] }
    var header: ArraySlice<UInt8> { self.bytes[0..<Self.headerLength] }
    var nonce: ArraySlice<UInt8> { self.bytes[Self.headerLength..<(Self.headerLength + Self.nonceLength)] }
    var ciphertext: ArraySlice<UInt8> {
        self.bytes[(Self.headerLength + Self.nonceLength)..<(self.bytes.count - Self.tagLength)]
    }
    var tag: ArraySlice<UInt8> { self.bytes[(self.bytes.count - Self.tagLength)...] }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[offset..<(offset + 8)] { value = value << 8 | UInt64(byte) }
        return value
    }

    static func uint64Bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
    }
}
