import Foundation
import HTTPTypes
import Logging
import MetricsTestKit
import NIOCore
import OAuthTopConfig
import OAuthTopRuntime
import Testing

/// What `Fuzz/Sources/FuzzRateLimitHeaders` and `FuzzCacheHeaders` check, in the ordinary suite over their seed
/// corpora and seeded random mutations: readings stay within their bounds, the guard answers a forward, a 200 hit or
/// a 429; nothing traps.
@Suite("Quota: fuzz corpora")
struct QuotaFuzzCorpusTests {
    static func corpus(_ name: String) -> [[UInt8]] {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/\(name)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap { try? Array(Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    static func fields(_ text: Substring) -> (request: HTTPFields, response: HTTPFields) {
        var request = HTTPFields()
        var response = HTTPFields()
        for line in text.split(separator: "\n") {
            let isRequest = line.hasPrefix(">")
            let body = isRequest ? line.dropFirst() : line
            guard let colon = body.firstIndex(of: ":"),
                let name = HTTPField.Name(String(body[..<colon].drop { $0 == " " }))
            else { continue }
            let field = HTTPField(name: name, lenientValue: Array(body[body.index(after: colon)...].utf8))
            if isRequest { request.append(field) } else { response.append(field) }
        }
        return (request, response)
    }

    /// Seeded mutations of the corpus (deterministic), the seeds first.
    static func mutations(of corpus: [[UInt8]], count: Int, alphabet: [UInt8]) -> [[UInt8]] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var inputs = corpus
        for round in 0..<count {
            var bytes = corpus[round % corpus.count]
            for _ in 0..<(1 + next() % 4) {
                let position = bytes.isEmpty ? 0 : next() % bytes.count
                switch next() % 3 {
                case 0: bytes.insert(alphabet[next() % alphabet.count], at: position)
                case 1: if !bytes.isEmpty { bytes.remove(at: position) }
                default: if !bytes.isEmpty { bytes[position] = alphabet[next() % alphabet.count] }
                }
            }
            inputs.append(bytes)
        }
        return inputs
    }

    @Test("rate-limit header seeds give readings; they and 3,000 mutations stay within bounds")
    func rateLimitHeaders() {
        let corpus = Self.corpus("RateLimitHeaders")
        #expect(corpus.count >= 10)
        let reader = RateLimitHeaders(limits: [
            ProxySettings.HeaderLimit(
                name: "requests", limitHeader: "anthropic-ratelimit-requests-limit",
                remainingHeader: "anthropic-ratelimit-requests-remaining",
                resetHeader: "anthropic-ratelimit-requests-reset"
            ),
            ProxySettings.HeaderLimit(
                name: "tokens", limitHeader: "x-ratelimit-limit-tokens",
                remainingHeader: "x-ratelimit-remaining-tokens", resetHeader: "x-ratelimit-reset-tokens"
            ),
        ])
        var seedsWithReadings = 0
        let alphabet = Array(#"";=,:-.0123456789qrtw()?*%@ abcXRL"#.utf8) + [0, 0x7F, 0xC3, 0xA9, 0x09]
        for (index, input) in Self.mutations(of: corpus, count: 3_000, alphabet: alphabet).enumerated() {
            let text = String(decoding: input, as: UTF8.self)
            let report = reader.read(Self.fields(Substring(text)).response, localNow: QuotaTime.start)
            if index < corpus.count, !report.readings.isEmpty { seedsWithReadings += 1 }
            for reading in report.readings {
                #expect(reading.remaining >= 0 && reading.remaining <= reading.limit)
                #expect((0...1).contains(reading.used))
                #expect((reading.resetAfter ?? .zero) >= .zero)
                #expect(!reading.name.isEmpty && reading.name.utf8.count <= 64)
            }
        }
        #expect(seedsWithReadings >= corpus.count - 2, "only the bad-value seeds read nothing")
    }

    @Test("cache header seeds and 2,000 mutations: admitted or not, the guard answers a forward, a 200 hit or a 429")
    func cacheHeaders() {
        let corpus = Self.corpus("CacheHeaders")
        #expect(corpus.count >= 5)
        let guardian = QuotaGuard(
            proxy: "fuzz", provider: "fuzz",
            quota: ProxySettings.Quota(
                cacheAbove: 0.9, shedAbove: 0.99, criticalPaths: ["/v1/batches/*", "/admin/**"]),
            cache: ProxySettings.Cache(maxEntries: 64, maxBytes: 1 << 16, maxBody: 1 << 10, ttl: .seconds(60)),
            factory: TestMetrics(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, publish: { _ in }
        )
        guardian.observe(
            status: .ok,
            headers: .pairs([
                ("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "5"),
                ("X-RateLimit-Reset", "3600"),
            ]),
            now: QuotaTime.start
        )
        var hits = 0
        let alphabet = Array(#"",=;:*/ -0123456789amxgsnoe\"#.utf8) + [0, 0xC3, 0x09]
        for input in Self.mutations(of: corpus, count: 2_000, alphabet: alphabet) {
            let text = String(decoding: input, as: UTF8.self)
            var lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let path = lines.isEmpty ? "/" : String(lines.removeFirst())
            let (request, response) = Self.fields(lines.first ?? "")
            for method in [HTTPRequest.Method.get, .head] {
                if var admission = guardian.cacheAdmission(
                    method: method, path: path, request: request, status: .ok, response: response, now: QuotaTime.start
                ) {
                    admission.append(ByteBuffer(string: "{}"))
                    guardian.store(admission, now: QuotaTime.start)
                }
                switch guardian.decide(method: method, path: path, headers: request, now: QuotaTime.at(.seconds(1))) {
                case .forward: break
                case .cached(let hit):
                    hits += 1
                    #expect(hit.status == .ok)
                case .shed(let refusal): #expect(refusal.status == .tooManyRequests)
                }
            }
        }
        #expect(hits > 0, "the cacheable seeds are served from the cache")
        #expect(guardian.cacheUsage.entries <= 64)
    }
}
