import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

/// What `Fuzz/Sources/FuzzProxyRequest` checks, run in the ordinary suite over its seed corpus and seeded
/// random mutations of it: the request guard passes only origin-form printable paths without dot segments
/// and refuses with 400 or 405; the body rewrite reads back what it wrote.
@Suite("API proxy: fuzz corpus")
struct ProxyFuzzCorpusTests {
    static let corpus: [String] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/ProxyRequest")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
    }()

    @Test("the seeds and 20,000 mutations of them are checked or refused, never a crash")
    func mutations() async {
        #expect(Self.corpus.count >= 4)
        var random = SplitMix64(seed: UInt64(0x9F0C5))
        func next() -> UInt64 { random.next() }
        let alphabet = Array("/.%2e2E5cf00?#\\ \u{0}\u{7F}é\r\n{}[]\":,modelbig\u{5C}".unicodeScalars)
        let rule = ProxySettings.BodyRewrite(jsonField: "model", from: "big", to: "small")
        for round in 0..<20_000 {
            // Lets the other suites' servers run: the test pool has as many threads as cores.
            if round % 250 == 0 { await Task.yield() }
            var scalars = Array(Self.corpus[round % Self.corpus.count].unicodeScalars)
            for _ in 0..<(1 + Int(next() % 4)) {
                let position = scalars.isEmpty ? 0 : Int(next() % UInt64(scalars.count))
                switch next() % 3 {
                case 0: scalars.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
                case 1: if !scalars.isEmpty { scalars.remove(at: position) }
                default: if !scalars.isEmpty { scalars[position] = alphabet[Int(next() % UInt64(alphabet.count))] }
                }
            }
            let text = String(String.UnicodeScalarView(scalars))
            let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            let method = parts.count > 1 ? parts[0] : "GET"
            let target = parts.count > 1 ? parts[1] : parts[0]
            switch ProxyRequestGuard.check(method: method, target: target) {
            case .success(let checked):
                #expect(checked.path.hasPrefix("/"))
                #expect(!checked.path.split(separator: "/").contains { $0 == ".." || $0 == "." })
                #expect(!checked.path.lowercased().contains("%2f"))
            case .failure(let refusal):
                #expect(refusal.status == 400 || refusal.status == 405)
            }
            _ = AuthErrorRule.isInvalidTokenChallenge(target)
            if parts.count > 2, case .rewritten(let body) = JSONBodyRewrite.apply(rule, to: Array(parts[2].utf8)) {
                let again = JSONBodyRewrite.apply(
                    ProxySettings.BodyRewrite(jsonField: "model", from: "small", to: "small"), to: body
                )
                #expect(again == .rewritten(body))
            }
        }
    }
}
