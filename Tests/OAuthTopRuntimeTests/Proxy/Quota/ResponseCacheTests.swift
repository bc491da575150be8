import HTTPTypes
import NIOCore
import Testing

@testable import OAuthTopRuntime

@Suite("Quota: response cache (bounds, LRU, Vary)")
struct ResponseCacheTests {
    static func response(
        _ body: String, lifetime: Duration = .seconds(60), at stored: Int64 = QuotaTime.start
    )
        -> CachedResponse
    {
        CachedResponse(
            headers: .pairs([("Content-Type", "application/json")]), body: ByteBuffer(string: body),
            storedAt: stored, initialAge: .zero, lifetime: lifetime
        )
    }

    static func key(_ target: String, _ method: String = "GET") -> CacheKey.Primary {
        CacheKey.Primary(method: method, target: target)
    }

    static func body(_ response: CachedResponse?) -> String? {
        response.map { String(buffer: $0.body) }
    }

    @Test("a stored response is found by method and target (query included) until its lifetime ends")
    func storeAndFind() {
        var cache = ResponseCache(maxEntries: 10, maxBytes: 10_000)
        cache.insert(Self.response("one", lifetime: .seconds(30)), for: Self.key("/a?x=1"), vary: .none, request: [:])
        #expect(Self.body(cache.lookup(Self.key("/a?x=1"), request: [:], now: QuotaTime.start)) == "one")
        #expect(cache.lookup(Self.key("/a?x=2"), request: [:], now: QuotaTime.start) == nil)
        #expect(cache.lookup(Self.key("/a"), request: [:], now: QuotaTime.start) == nil)
        #expect(cache.lookup(Self.key("/a?x=1", "HEAD"), request: [:], now: QuotaTime.start) == nil)
        #expect(
            Self.body(cache.lookup(Self.key("/a?x=1"), request: [:], now: QuotaTime.at(.milliseconds(29_999)))) == "one"
        )
        #expect(cache.lookup(Self.key("/a?x=1"), request: [:], now: QuotaTime.at(.seconds(30))) == nil, "stale")
        #expect(cache.count == 0, "a stale entry is dropped when met")
        #expect(cache.bytes == 0)
    }

    @Test("the age counts the initial age and the time stored")
    func age() {
        var response = Self.response("x", lifetime: .seconds(60))
        response.initialAge = .seconds(15)
        #expect(response.age(now: QuotaTime.at(.seconds(10))) == .seconds(25))
        #expect(response.isFresh(now: QuotaTime.at(.milliseconds(44_999))))
        #expect(!response.isFresh(now: QuotaTime.at(.seconds(45))))
    }

    @Test("beyond max_entries the least recently used entry goes; a lookup makes an entry recent")
    func entryBound() {
        var cache = ResponseCache(maxEntries: 3, maxBytes: 1 << 20)
        for name in ["a", "b", "c"] {
            cache.insert(Self.response(name), for: Self.key("/\(name)"), vary: .none, request: [:])
        }
        _ = cache.lookup(Self.key("/a"), request: [:], now: QuotaTime.start)
        cache.insert(Self.response("d"), for: Self.key("/d"), vary: .none, request: [:])
        #expect(cache.count == 3)
        #expect(cache.lookup(Self.key("/b"), request: [:], now: QuotaTime.start) == nil, "b was least recently used")
        for name in ["a", "c", "d"] {
            #expect(Self.body(cache.lookup(Self.key("/\(name)"), request: [:], now: QuotaTime.start)) == name)
        }
    }

    @Test("beyond max_bytes least recently used entries go until the bytes fit; a response larger than all is not kept")
    func byteBound() {
        let size = Self.response(String(repeating: "x", count: 100)).size + "/0".utf8.count
        var cache = ResponseCache(maxEntries: 100, maxBytes: size * 3)
        for index in 0..<3 {
            cache.insert(
                Self.response(String(repeating: "x", count: 100)), for: Self.key("/\(index)"), vary: .none,
                request: [:])
        }
        #expect(cache.bytes == size * 3)
        cache.insert(Self.response(String(repeating: "y", count: 150)), for: Self.key("/3"), vary: .none, request: [:])
        #expect(cache.count == 2, "two of the old ones had to go for 50 more bytes")
        #expect(cache.bytes <= size * 3)
        #expect(cache.lookup(Self.key("/0"), request: [:], now: QuotaTime.start) == nil)
        #expect(cache.lookup(Self.key("/1"), request: [:], now: QuotaTime.start) == nil)
        #expect(cache.lookup(Self.key("/2"), request: [:], now: QuotaTime.start) != nil)
        let huge = Self.response(String(repeating: "z", count: size * 3))
        let stored = cache.insert(huge, for: Self.key("/huge"), vary: .none, request: [:])
        #expect(!stored)
        #expect(cache.count == 2, "nothing evicted for a response that cannot fit")
    }

    @Test("replacing an entry keeps one copy and the byte count right")
    func replace() {
        var cache = ResponseCache(maxEntries: 10, maxBytes: 10_000)
        cache.insert(Self.response("old"), for: Self.key("/a"), vary: .none, request: [:])
        cache.insert(Self.response("newer"), for: Self.key("/a"), vary: .none, request: [:])
        #expect(cache.count == 1)
        #expect(cache.bytes == Self.response("newer").size + 2)
        #expect(Self.body(cache.lookup(Self.key("/a"), request: [:], now: QuotaTime.start)) == "newer")
    }

    @Test("Vary: variants by the request's values; a request lacking the field matches only a variant that lacked it")
    func vary() throws {
        var cache = ResponseCache(maxEntries: 10, maxBytes: 10_000)
        let vary = try #require(VaryNames(lines: ["Accept"], ignoring: []))
        cache.insert(
            Self.response("json"), for: Self.key("/r"), vary: vary, request: .pairs([("Accept", "application/json")]))
        cache.insert(Self.response("xml"), for: Self.key("/r"), vary: vary, request: .pairs([("Accept", "text/xml")]))
        #expect(cache.count == 2)
        func find(_ request: HTTPFields) -> String? {
            Self.body(cache.lookup(Self.key("/r"), request: request, now: QuotaTime.start))
        }
        #expect(find(.pairs([("Accept", "application/json")])) == "json")
        #expect(find(.pairs([("accept", " text/xml ")])) == "xml", "names any case, values trimmed")
        #expect(find(.pairs([("Accept", "text/html")])) == nil)
        #expect(find([:]) == nil)
        cache.insert(Self.response("none"), for: Self.key("/r"), vary: vary, request: [:])
        #expect(find([:]) == "none")
    }

    @Test("a response that varies on other fields than before replaces every old variant")
    func varyChanges() throws {
        var cache = ResponseCache(maxEntries: 10, maxBytes: 10_000)
        let accept = try #require(VaryNames(lines: ["Accept"], ignoring: []))
        let language = try #require(VaryNames(lines: ["Accept-Language"], ignoring: []))
        cache.insert(Self.response("a"), for: Self.key("/r"), vary: accept, request: .pairs([("Accept", "a")]))
        cache.insert(Self.response("b"), for: Self.key("/r"), vary: accept, request: .pairs([("Accept", "b")]))
        cache.insert(
            Self.response("en"), for: Self.key("/r"), vary: language, request: .pairs([("Accept-Language", "en")]))
        #expect(cache.count == 1)
        let request: HTTPFields = .pairs([("Accept", "a"), ("Accept-Language", "en")])
        #expect(Self.body(cache.lookup(Self.key("/r"), request: request, now: QuotaTime.start)) == "en")
    }

    @Test("a thousand inserts over a small cache keep the bounds and the list consistent")
    func churn() {
        var cache = ResponseCache(maxEntries: 7, maxBytes: 2_000)
        var state: UInt64 = 42
        for round in 0..<1_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let target = "/\(state >> 60)"
            if round % 3 == 0 {
                _ = cache.lookup(Self.key(target), request: [:], now: QuotaTime.start)
            } else {
                let body = String(repeating: "b", count: Int(state >> 56) % 300)
                cache.insert(Self.response(body), for: Self.key(target), vary: .none, request: [:])
            }
            #expect(cache.count <= 7)
            #expect(cache.bytes <= 2_000)
        }
        cache.removeAll()
        #expect(cache.count == 0 && cache.bytes == 0)
    }
}
