import Testing

@testable import Terminal

@Suite struct ColorPairCacheTests {
    @Test func defaultOnDefaultIsPairZeroWithoutAllocating() {
        var cache = ColorPairCache(capacity: 16)
        let pair = cache.pair(foreground: -1, background: -1) { _, _, _ in
            Issue.record("pair 0 must not be defined")
            return true
        }
        #expect(pair == 0)
        #expect(cache.allocatedCount == 0)
    }

    @Test func allocatesOnceAndReusesFromTheCache() {
        var cache = ColorPairCache(capacity: 16)
        var defined: [[Int32]] = []
        let define: (Int32, Int32, Int32) -> Bool = { number, fg, bg in
            defined.append([number, fg, bg])
            return true
        }
        #expect(cache.pair(foreground: 1, background: -1, define: define) == 1)
        #expect(cache.pair(foreground: 2, background: 0, define: define) == 2)
        #expect(cache.pair(foreground: 1, background: -1, define: define) == 1)
        #expect(defined == [[1, 1, -1], [2, 2, 0]])
    }

    @Test func fallsBackToPairZeroWhenPairsRunOut() {
        var cache = ColorPairCache(capacity: 3)
        let define: (Int32, Int32, Int32) -> Bool = { _, _, _ in true }
        #expect(cache.pair(foreground: 1, background: -1, define: define) == 1)
        #expect(cache.pair(foreground: 2, background: -1, define: define) == 2)
        #expect(cache.pair(foreground: 3, background: -1, define: define) == 0)
        #expect(cache.pair(foreground: 1, background: -1, define: define) == 1)
        #expect(cache.allocatedCount == 2)
    }

    @Test func aFailedDefinitionFallsBackToPairZero() {
        var cache = ColorPairCache(capacity: 16)
        #expect(cache.pair(foreground: 5, background: 6) { _, _, _ in false } == 0)
        #expect(cache.allocatedCount == 0)
    }
}
