import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

/// What `Fuzz/Sources/FuzzWireHead` checks, in the ordinary suite over its seed corpus and seeded random mutations
/// of it: every request head the wire path's parser reads, NIO's HTTP/1.1 parser reads the same way (method, target,
/// version, every field and value in order, keep-alive, no body), and every response head too (status, version,
/// fields, keep-alive, the body's bytes).
@Suite("API proxy: the wire parser against NIO's parser")
struct WireHeadDifferentialTests {
    static let corpus: [[UInt8]] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/WireHead")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap { FileManager.default.contents(atPath: directory.appendingPathComponent($0).path) }
            .map { Array($0) }
    }()

    /// Why NIO's parser reads `bytes` differently from the wire parser's `head`, or `nil` when it reads it alike.
    static func difference(_ bytes: [UInt8], _ head: WireRequestHead) -> String? {
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
            var buffer = channel.allocator.buffer(capacity: head.length)
            buffer.writeBytes(bytes[0..<head.length])
            try channel.writeInbound(buffer)
        } catch {
            return "NIO's parser refuses it: \(error)"
        }
        guard case .head(let nio)? = try? channel.readInbound(as: HTTPServerRequestPart.self) else { return "no head" }
        if nio.method.rawValue != head.method.name { return "method \(nio.method)" }
        if nio.version != .http1_1 { return "version \(nio.version)" }
        if nio.uri != string(head.target) { return "target \(nio.uri)" }
        if nio.isKeepAlive == head.closes { return "keep-alive" }
        let fields = head.fields.map { (string($0.name), string($0.value)) }
        if nio.headers.count != fields.count { return "\(nio.headers.count) fields against \(fields.count)" }
        for ((name, value), field) in zip(nio.headers, fields) where name != field.0 || value != field.1 {
            return "field \(name)"
        }
        guard case .end? = try? channel.readInbound(as: HTTPServerRequestPart.self) else { return "a body" }
        return nil
    }

    /// Why NIO's response parser (after a `GET`) reads `bytes` differently from the wire parser's `head`, or `nil`.
    static func difference(response bytes: [UInt8], _ head: WireResponseHead) -> String? {
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        let total = head.length + head.bodyLength
        guard bytes.count >= total else { return nil }
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        let decoder = HTTPResponseDecoder()
        do {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
            decoder.write(data: .head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")))
            var buffer = channel.allocator.buffer(capacity: total)
            buffer.writeBytes(bytes[0..<total])
            try channel.writeInbound(buffer)
        } catch {
            return "NIO's parser refuses it: \(error)"
        }
        guard case .head(let nio)? = try? channel.readInbound(as: HTTPClientResponsePart.self) else { return "no head" }
        if Int(nio.status.code) != head.status { return "status \(nio.status.code)" }
        if nio.version != .http1_1 { return "version \(nio.version)" }
        if nio.isKeepAlive == head.closes { return "keep-alive" }
        let fields = head.fields.map { (string($0.name), string($0.value)) }
        if nio.headers.count != fields.count { return "\(nio.headers.count) fields against \(fields.count)" }
        for ((name, value), field) in zip(nio.headers, fields) where name != field.0 || value != field.1 {
            return "field \(name)"
        }
        var body: [UInt8] = []
        while true {
            switch try? channel.readInbound(as: HTTPClientResponsePart.self) {
            case .body(let chunk)?: body += chunk.readableBytesView
            case .end?: return body == Array(bytes[head.length..<total]) ? nil : "the body"
            default: return "no end"
            }
        }
    }

    @Test("the seeds and 20,000 mutations of them: what the wire parser reads, NIO's parser reads alike")
    func mutations() async {
        #expect(Self.corpus.count >= 6)
        var random = SplitMix64(seed: UInt64(0x51_7E_AD))
        func next() -> UInt64 { random.next() }
        let alphabet: [UInt8] = Array(" \t\r\n:,;=0Tt-%/\u{7F}".utf8) + [0x00, 0x80, 0xE9, 0xFF]
        var read = 0
        var readResponses = 0
        for round in 0..<20_000 {
            if round % 250 == 0 { await Task.yield() }
            var bytes = Self.corpus[round % Self.corpus.count]
            for _ in 0..<(1 + Int(next() % 3)) {
                let position = Int(next() % UInt64(bytes.count))
                let byte = alphabet[Int(next() % UInt64(alphabet.count))]
                switch next() % 3 {
                case 0: bytes.insert(byte, at: position)
                case 1: bytes[position] = byte
                default: bytes.remove(at: position)
                }
                if bytes.isEmpty { bytes = [0x0D] }
            }
            if case .head(let head) = bytes.withUnsafeBytes({ WireRequestHead.parse($0) }) {
                read += 1
                if let difference = Self.difference(bytes, head) {
                    Issue.record("request read differently (\(difference)): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    return
                }
            }
            if case .head(let head) = bytes.withUnsafeBytes({ WireResponseHead.parse($0, maxBody: 1 << 16) }) {
                readResponses += 1
                if let difference = Self.difference(response: bytes, head) {
                    Issue.record("response read differently (\(difference)): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    return
                }
            }
        }
        // Many mutations keep a head the wire path reads: the check is not vacuous.
        #expect(read > 1_000)
        #expect(readResponses > 1_000)
    }
}
