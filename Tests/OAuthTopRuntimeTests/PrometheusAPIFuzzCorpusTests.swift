import Foundation
import OAuthTopRuntime
import Telemetry
import Testing

/// What `Fuzz/Sources/FuzzPrometheusAPI` checks, run in the ordinary test suite over its seed corpus and seeded
/// random mutations of it: the decoder returns or throws, the endpoint answers 200, 400 or 422; nothing traps.
@Suite("Prometheus API: fuzz corpus")
struct PrometheusAPIFuzzCorpusTests {
    static let corpus: [[UInt8]] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/PrometheusAPI")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap { try? Array(Data(contentsOf: directory.appendingPathComponent($0))) }
    }()

    @Test("the seeds decode as they should")
    func seeds() throws {
        #expect(Self.corpus.count >= 10)
        let answers = Self.corpus.filter { $0.first == UInt8(ascii: "{") }
        let decoded = answers.filter { (try? PrometheusAPIDecoder.query($0)) != nil }
        let alerts = answers.filter { (try? PrometheusAPIDecoder.alerts($0)) != nil }
        let errors = answers.filter { PrometheusAPIDecoder.error($0) != nil }
        #expect(decoded.count + alerts.count + errors.count == answers.count)
    }

    @Test("the seeds and 2,000 mutations of them decode or throw; the endpoint answers 200, 400 or 422")
    func mutations() {
        let endpoint = PrometheusAPIEndpoint(source: TelemetryCollector())
        let alphabet = Array(#"{}[]":,0123456789.eE+-NaInf\u00 "#.utf8) + [0, 0xFF, 0xC3]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<2_000 {
            var bytes = Self.corpus[round % Self.corpus.count]
            for _ in 0..<(1 + next() % 4) {
                let position = bytes.isEmpty ? 0 : next() % bytes.count
                switch next() % 3 {
                case 0: bytes.insert(alphabet[next() % alphabet.count], at: position)
                case 1: if !bytes.isEmpty { bytes.remove(at: position) }
                default: if !bytes.isEmpty { bytes[position] = alphabet[next() % alphabet.count] }
                }
            }
            _ = try? PrometheusAPIDecoder.query(bytes)
            _ = try? PrometheusAPIDecoder.alerts(bytes)
            _ = PrometheusAPIDecoder.error(bytes)
            if bytes.count <= 512 {
                let route = PrometheusAPIRoute.allCases[round % PrometheusAPIRoute.allCases.count]
                let status = endpoint.answer(route, query: bytes, form: []).status
                #expect([200, 400, 422].contains(status), "\(route) answered \(status)")
            }
        }
    }
}
