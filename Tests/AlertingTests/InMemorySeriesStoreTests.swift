import Alerting
import Telemetry
import Testing

@Suite("In-memory series store")
struct InMemorySeriesStoreTests {
    static func read(_ store: InMemorySeriesStore, _ name: String) -> [String: [Int64]] {
        var result: [String: [Int64]] = [:]
        store.forEachSeries(named: name, in: 0...Int64.max) { labels, window in
            result[labels.map(\.value).joined()] = (0..<window.count).map(window.timestamp)
        }
        return result
    }

    @Test("old samples go, emptied series go, the others keep their place and take new samples")
    func removeSamples() {
        let store = InMemorySeriesStore()
        let a = Labels(["__name__": "m", "k": "a"])
        let b = Labels(["__name__": "m", "k": "b"])
        let c = Labels(["__name__": "m", "k": "c"])
        for time in [10, 20, 30] as [Int64] {
            store.append(a, timestamp: time, value: 1)
            store.append(c, timestamp: time, value: 1)
        }
        store.append(b, timestamp: 5, value: 1)
        store.removeSamples(before: 20)
        #expect(Self.read(store, "m") == ["a": [20, 30], "c": [20, 30]])
        store.append(c, timestamp: 40, value: 2)
        store.append(b, timestamp: 40, value: 2)
        #expect(Self.read(store, "m") == ["a": [20, 30], "b": [40], "c": [20, 30, 40]])
        store.removeSamples(before: 100)
        #expect(!store.hasSeries(named: "m"))
        #expect(store.metricNames().isEmpty)
    }
}
