import Foundation
import OAuthTopRuntime
import Testing

/// What `Fuzz/Sources/FuzzSocketRequest` checks, run in the ordinary test suite over its seed corpus
/// and seeded random mutations of it: every input gives a route, `nil` or a 4xx, never a crash.
@Suite("Token socket request parsing: fuzz corpus")
struct SocketRouteFuzzCorpusTests {
    static let corpus: [String] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/SocketRequest")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
    }()

    @Test("the seeds and 20,000 mutations of them parse to a route, nil or a 4xx")
    func mutations() {
        #expect(Self.corpus.count >= 5)
        var random = SplitMix64(seed: 0x50CE7)
        let alphabet = Array("/v1tokenrefreshstatus.?#%-_ \u{0}\u{7F}é\r\nGETPOSTab".unicodeScalars)
        for round in 0..<20_000 {
            var scalars = Array(Self.corpus[round % Self.corpus.count].unicodeScalars)
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = scalars.isEmpty ? 0 : Int(random.next() % UInt64(scalars.count))
                switch random.next() % 3 {
                case 0: scalars.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                case 1: if !scalars.isEmpty { scalars.remove(at: position) }
                default:
                    if !scalars.isEmpty { scalars[position] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
                }
            }
            let text = String(String.UnicodeScalarView(scalars))
            let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            let method = parts.count > 1 ? parts[0] : "GET"
            let target = parts.count > 1 ? parts[1] : parts[0]
            do {
                if let provider = try SocketRoute.parse(method: method, target: target)?.provider {
                    #expect(!provider.isEmpty && provider.allSatisfy { $0.isASCII && !$0.isWhitespace })
                }
            } catch {
                #expect((400..<500).contains(error.status))
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failure reproduces.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
