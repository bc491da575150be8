import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import TokenManager

@testable import OAuthTopRuntime

@Suite("JSON event lines")
struct EventJSONTests {
    @Test("keys in a stable order, RFC 3339 UTC time, numbers and booleans unquoted")
    func line() throws {
        let event = TokenEvent(
            kind: .refreshSucceeded, timestamp: 1_700_000_000_123_456_789, provider: "github",
            fields: [("duration_ms", .double(12.5)), ("attempt", .int(2)), ("final", .bool(false)), ("endpoint", .string("https://x/t"))]
        )
        let line = EventJSON.line(for: event)
        #expect(line == #"{"ts":"2023-11-14T22:13:20.123Z","event":"refresh_succeeded","provider":"github","duration_ms":12.5,"attempt":2,"final":false,"endpoint":"https://x/t"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["provider"] as? String == "github")
    }

    @Test("fallback events carry their severity after the provider; info events carry none")
    func severity() throws {
        let used = TokenEvent(
            kind: .emergencyKeyUsed, timestamp: 1_700_000_000_000_000_000, provider: "demo", severity: .critical,
            fields: [("entry", .int(1)), ("key_sha256", .string("0a1b2c3d")), ("usable_for_s", .double(60))]
        )
        #expect(EventJSON.line(for: used) == #"{"ts":"2023-11-14T22:13:20.000Z","event":"emergency_key_used","provider":"demo","severity":"critical","entry":1,"key_sha256":"0a1b2c3d","usable_for_s":60}"#)
        let ended = TokenEvent(
            kind: .fallbackEnded, timestamp: 1_700_000_000_000_000_000, provider: "demo",
            fields: [("method", .string("emergency_key")), ("uses", .int(350)), ("duration_ms", .double(11000.5))]
        )
        #expect(EventJSON.line(for: ended) == #"{"ts":"2023-11-14T22:13:20.000Z","event":"fallback_ended","provider":"demo","method":"emergency_key","uses":350,"duration_ms":11000.5}"#)
    }

    @Test("strings are escaped so every line stays one valid JSON object", arguments: [
        "quote \" backslash \\ newline \n tab \t", "control \u{01}\u{1F}", "unicode é 界 🙂",
    ])
    func escaping(text: String) throws {
        let line = EventJSON.line(event: "x", timestamp: 0, fields: [("detail", .string(text))])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["detail"] as? String == text)
    }

    @Test("non-finite numbers become null")
    func nonFinite() {
        #expect(EventJSON.line(event: "x", timestamp: 0, fields: [("v", .double(.infinity))]).hasSuffix(#""v":null}"#))
    }

    @Test("the writer emits whole lines")
    func writer() {
        let lines = LockedLines()
        let writer = JSONLineWriter { lines.append($0) }
        writer.emit("{}")
        writer.emit("{\"a\":1}")
        #expect(lines.all == ["{}\n", "{\"a\":1}\n"])
    }
}

final class LockedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { self.lines.withLock { $0.append(line) } }
    var all: [String] { self.lines.withLock { $0 } }
}

@Suite("Writing to a closed pipe")
struct ClosedPipeTests {
    @Test("a reader that went away makes writes fail quietly, never crash")
    func closedPipe() {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        close(descriptors[0])
        let previous = signal(SIGPIPE, SIG_IGN)
        defer {
            signal(SIGPIPE, previous)
            close(descriptors[1])
        }
        #expect(JSONLineWriter.writeAll("{}\n", to: descriptors[1]) == false)
    }
}
