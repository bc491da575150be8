import Coordination
import Foundation
import Testing
import TokenManager

@Suite("Sealed fleet state")
struct SealedStateTests {
    static let token = FleetToken(
        accessToken: Secret("access-123"), tokenType: "Bearer", expiresAt: 1_700_000_100_000_000_000,
        issuedAt: 1_700_000_000_000_000_000, refreshToken: Secret("refresh-456"), scope: "read write",
        endpoint: "http://idp.test/token", generation: 42, refreshedBy: "process-1"
    )
    static let sealer = try! StateSealer(key: [UInt8](repeating: 1, count: 32))

    @Test("round trip: what is sealed opens to the same token; no secret is readable in the bytes")
    func roundTrip() throws {
        let sealed = try Self.sealer.seal(Self.token, provider: "github")
        #expect(sealed.generation == 42)
        #expect(try Self.sealer.open(sealed, provider: "github") == Self.token)
        let text = String(decoding: sealed.bytes, as: UTF8.self)
        #expect(!text.contains("access-123") && !text.contains("refresh-456"))
        // A fresh nonce every time.
        #expect(try Self.sealer.seal(Self.token, provider: "github").bytes != sealed.bytes)
        // Stored bytes read back.
        #expect(try SealedState(bytes: sealed.bytes) == sealed)
    }

    @Test("a flipped byte anywhere fails to open, with an error that names the problem, never a value")
    func tamper() throws {
        let sealed = try Self.sealer.seal(Self.token, provider: "github")
        for index in sealed.bytes.indices {
            var bytes = sealed.bytes
            bytes[index] ^= 0x01
            do {
                let state = try SealedState(bytes: bytes)
                _ = try Self.sealer.open(state, provider: "github")
                Issue.record("byte \(index) flipped still opened")
            } catch {
                #expect(!error.description.contains("access-123"))
                if (1...8).contains(index) { #expect(error.isWrongKey) } else { #expect(!error.isWrongKey) }
            }
        }
    }

    @Test("a state cannot be moved to another provider")
    func otherProvider() throws {
        let sealed = try Self.sealer.seal(Self.token, provider: "github")
        let error = #expect(throws: SealedStateError.self) { try Self.sealer.open(sealed, provider: "gitlab") }
        #expect(error?.reason == "authentication_failed")
        #expect(error?.description.contains("'gitlab'") == true)
    }

    @Test("another key is told apart from tampering")
    func wrongKey() throws {
        let sealed = try Self.sealer.seal(Self.token, provider: "github")
        let other = try StateSealer(key: [UInt8](repeating: 2, count: 32))
        let error = #expect(throws: SealedStateError.self) { try other.open(sealed, provider: "github") }
        #expect(error?.isWrongKey == true)
        #expect(error?.description.contains("sealed with another key") == true)
    }

    @Test(
        "malformed stored bytes: a clear error",
        arguments: [
            ([UInt8](), "shorter"), ([UInt8](repeating: 1, count: 44), "shorter"),
            ([2] + [UInt8](repeating: 0, count: 60), "version 2"),
        ]
    )
    func malformed(bytes: [UInt8], expected: String) {
        let error = #expect(throws: SealedStateError.self) { try SealedState(bytes: bytes) }
        #expect(error?.description.contains(expected) == true)
    }

    @Test(
        "a payload that is not a token state names the field, not the value",
        arguments: [
            (#"{"#, "not valid JSON"),
            (#"{"access_token":"secret-value","token_type":"Bearer"}"#, "missing field"),
            (#"{"access_token":"secret-value","token_type":"Bearer","expires_at":"x","issued_at":0,"generation":1,"refreshed_by":"p"}"#, "field 'expires_at'"),
            (#"{"access_token":"","token_type":"Bearer","expires_at":1,"issued_at":0,"generation":1,"refreshed_by":"p"}"#, "'access_token' is empty"),
        ]
    )
    func payload(json: String, expected: String) {
        let error = #expect(throws: SealedStateError.self) { try StateSealer.decodePayload(Array(json.utf8), provider: "p") }
        #expect(error?.description.contains(expected) == true)
        #expect(error?.description.contains("secret-value") == false)
    }

    @Test("keys: 64 hex digits or base64 of 32 bytes; anything else is refused")
    func keys() throws {
        let hex = String(repeating: "ab", count: 32)
        let base64 = Data(repeating: 0xAB, count: 32).base64EncodedString()
        let fromHex = try StateSealer(keyText: Secret(hex))
        let fromBase64 = try StateSealer(keyText: Secret(base64))
        let sealed = try fromHex.seal(Self.token, provider: "p")
        #expect(try fromBase64.open(sealed, provider: "p") == Self.token)
        for text in ["abcd", String(repeating: "ab", count: 16), Data(repeating: 1, count: 16).base64EncodedString()] {
            let error = #expect(throws: SealedStateError.self) { try StateSealer(keyText: Secret(text)) }
            #expect(error?.reason == "bad_key")
        }
    }
}
