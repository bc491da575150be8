/// Why a sealed fleet state could not be made or opened.
///
/// Messages say what is wrong and with which provider; they never quote the key, the state's bytes
/// or anything from inside them.
public struct SealedStateError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case badKey, truncated, unsupportedVersion, wrongKey, authenticationFailed, malformedPayload
        case generationMismatch, sealingFailed
    }

    private let code: Code
    private let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The state was sealed with another encryption key (its key id differs): this process cannot read
    /// the fleet's state and must not overwrite it.
    public var isWrongKey: Bool { self.code == .wrongKey }
    /// A short, bounded code for events and logs.
    public var reason: String {
        switch self.code {
        case .badKey: "bad_key"
        case .truncated: "truncated"
        case .unsupportedVersion: "unsupported_version"
        case .wrongKey: "wrong_key"
        case .authenticationFailed: "authentication_failed"
        case .malformedPayload: "malformed_payload"
        case .generationMismatch: "generation_mismatch"
        case .sealingFailed: "sealing_failed"
        }
    }

    public var description: String { self.message }

    static func badKey(byteCount: Int) -> Self {
        .init(.badKey, "the state encryption key must be 32 bytes (AES-256), got \(byteCount)")
    }

    static func truncated(byteCount: Int, minimum: Int) -> Self {
        .init(.truncated, "sealed state is \(byteCount) bytes, shorter than the \(minimum) of its header and tag")
    }

    static func unsupportedVersion(_ version: UInt8) -> Self {
        .init(.unsupportedVersion, "sealed state has format version \(version); this oauthtop reads version 1")
    }

    static func wrongKey(provider: String) -> Self {
        .init(
            .wrongKey,
            "the fleet state of provider '\(provider)' was sealed with another key: check that every process "
                + "has the same coordination.encryption_key"
        )
    }

    static func authenticationFailed(provider: String) -> Self {
        .init(
            .authenticationFailed,
            "the fleet state of provider '\(provider)' failed authentication: it was altered, or written for "
                + "another provider or generation"
        )
    }

    static func malformedPayload(provider: String, _ detail: String) -> Self {
        .init(.malformedPayload, "the fleet state of provider '\(provider)' is not a token state: \(detail)")
    }

    static func generationMismatch(provider: String, header: UInt64, payload: UInt64) -> Self {
        .init(
            .generationMismatch,
            "the fleet state of provider '\(provider)' says generation \(payload) inside and \(header) outside"
        )
    }

    static func sealingFailed(provider: String, _ detail: String) -> Self {
        .init(.sealingFailed, "the fleet state of provider '\(provider)' could not be sealed: \(detail)")
    }
}
