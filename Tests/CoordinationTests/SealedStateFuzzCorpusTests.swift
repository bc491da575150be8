import Coordination
import Foundation
import Testing
import TokenManager

/// What `Fuzz/Sources/FuzzSealedState` checks, run in the ordinary suite over its seeds and seeded random
/// mutations of them: each reader returns or throws, nothing traps. The sealed seeds were made outside
/// Swift (Python's `cryptography`, by the layout `SealedState` documents), so they also pin the format.
@Suite("Sealed state: fuzz corpus")
struct SealedStateFuzzCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/SealedState")

    static func seed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
    }

    static let sealer = try! StateSealer(key: [UInt8](repeating: 7, count: 32))

    @Test("a state sealed by another implementation of the documented layout opens")
    func interoperable() throws {
        let token = try Self.sealer.open(try SealedState(bytes: try Self.seed("sealed-valid.bin")), provider: "p")
        #expect(token.accessToken.revealed == "a1" && token.refreshToken?.revealed == "r1")
        #expect(token.generation == 3 && token.refreshedBy == "process-1")
        #expect(token.expiresAt == 1_700_000_100_000_000_000 && token.issuedAt == 1_700_000_000_000_000_000)
        let mismatch = #expect(throws: SealedStateError.self) {
            try Self.sealer.open(try SealedState(bytes: try Self.seed("sealed-generation-mismatch.bin")), provider: "p")
        }
        #expect(mismatch?.reason == "generation_mismatch")
        let notJSON = #expect(throws: SealedStateError.self) {
            try Self.sealer.open(try SealedState(bytes: try Self.seed("sealed-not-json.bin")), provider: "p")
        }
        #expect(notJSON?.reason == "malformed_payload")
    }

    @Test("the seeds and 3,000 mutations of them are read or refused, never a trap")
    func mutations() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        let corpus = try files.map { try Self.seed($0) }
        #expect(corpus.count >= 8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let alphabet = Array(#"{}[]":,0123456789-eE. "#.utf8) + [0, 1, 0xFF]
        for round in 0..<3_000 {
            var bytes = corpus[round % corpus.count]
            for _ in 0..<(1 + next() % 4) {
                let position = bytes.isEmpty ? 0 : next() % bytes.count
                switch next() % 3 {
                case 0 where !bytes.isEmpty: bytes[position] = alphabet[next() % alphabet.count]
                case 1: bytes.insert(alphabet[next() % alphabet.count], at: position)
                default: if !bytes.isEmpty { bytes.remove(at: position) }
                }
            }
            if let sealed = try? SealedState(bytes: bytes) { _ = try? Self.sealer.open(sealed, provider: "p") }
            _ = try? StateSealer.decodePayload(bytes, provider: "p")
            _ = LockOwner(value: String(decoding: bytes, as: UTF8.self))
        }
    }
}
