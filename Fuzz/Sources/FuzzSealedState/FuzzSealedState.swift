import Coordination

/// Feeds bytes to the readers of what a coordination store hands back, as a fleet process reads it.
///
/// Every input goes to all three: as a stored state (`SealedState(bytes:)`, then opened for provider `p`
/// with the key of 32 bytes 0x07, which the seed `sealed-valid.bin` was sealed with), as the JSON inside
/// an opened state (`StateSealer.decodePayload`), and as a lock key's value (`LockOwner(value:)`).
/// Each must return or throw a `SealedStateError`, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSealedState(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let state = try? SealedState(bytes: bytes) {
        _ = try? sealer?.open(state, provider: "p")
    }
    _ = try? StateSealer.decodePayload(bytes, provider: "p")
    _ = LockOwner(value: String(decoding: bytes, as: UTF8.self))
    return 0
}

private let sealer = try? StateSealer(key: [UInt8](repeating: 7, count: 32))
