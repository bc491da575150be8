import HTTPTypes
import Testing

@testable import OAuthTopRuntime

/// Which responses are stored and for how long (RFC 9111 §3, §4.2, §5.2), and which requests may be answered.
@Suite("Quota: cache policy (Cache-Control, Expires, Age, Vary)")
struct CachePolicyTests {
    static func admit(
        _ response: [(String, String)],
        request: [(String, String)] = [],
        method: HTTPRequest.Method = .get,
        status: HTTPResponse.Status = .ok,
        ttl: Duration = .seconds(60),
        maxBody: Int = 1024
    ) -> Result<CachePolicy.Admission, CachePolicy.Refusal> {
        CachePolicy.admission(
            method: method, request: .pairs(request), status: status, response: .pairs(response), ttl: ttl,
            maxBody: maxBody, ignoredVary: ["authorization", "oauthtop-priority"], now: QuotaTime.start
        )
    }

    static func lifetime(_ response: [(String, String)], ttl: Duration = .seconds(60)) -> Duration? {
        try? Self.admit(response, ttl: ttl).get().lifetime
    }

    static func refusal(
        _ response: [(String, String)], request: [(String, String)] = [],
        method: HTTPRequest.Method = .get, status: HTTPResponse.Status = .ok
    ) -> String? {
        guard case .failure(let refusal) = Self.admit(response, request: request, method: method, status: status) else {
            return nil
        }
        return refusal.description
    }

    @Test("freshness: s-maxage, then max-age, then Expires − Date, then the ttl (RFC 9111 §4.2.1)")
    func lifetimes() {
        #expect(Self.lifetime([("Cache-Control", "max-age=30")]) == .seconds(30))
        #expect(Self.lifetime([("Cache-Control", "max-age=30, s-maxage=90")]) == .seconds(90))
        #expect(Self.lifetime([("Cache-Control", "public"), ("Cache-Control", "MAX-AGE=\"45\"")]) == .seconds(45))
        #expect(
            Self.lifetime([
                ("Date", "Sun, 06 Dec 2026 09:30:00 GMT"), ("Expires", "Sun, 06 Dec 2026 09:35:00 GMT"),
            ]) == .seconds(300))
        #expect(Self.lifetime([("Expires", "Sun, 06 Dec 2026 09:31:00 GMT")]) == .seconds(60), "no Date: now")
        #expect(
            Self.lifetime([("Cache-Control", "max-age=5"), ("Expires", "Sun, 06 Dec 2026 10:30:00 GMT")])
                == .seconds(5), "max-age wins over Expires")
        #expect(Self.lifetime([("Content-Type", "application/json")], ttl: .seconds(17)) == .seconds(17))
        #expect(
            Self.lifetime([("Cache-Control", "private, max-age=20")]) == .seconds(20), "a private cache stores private")
    }

    @Test("conflicting or unreadable max-age keeps the most restrictive value (§4.2.1)")
    func conflicting() {
        #expect(Self.lifetime([("Cache-Control", "max-age=30, max-age=10")]) == .seconds(10))
        #expect(Self.lifetime([("Cache-Control", "max-age=30, max-age=soon")]) == nil, "0: stale, not stored")
    }

    @Test("age: Age, or how far Date lies behind (the larger), counts against the lifetime (§4.2.3)")
    func initialAge() throws {
        let aged = try Self.admit([("Cache-Control", "max-age=60"), ("Age", "20")]).get()
        #expect(aged.initialAge == .seconds(20))
        let dated = try Self.admit([
            ("Cache-Control", "max-age=60"), ("Date", "Sun, 06 Dec 2026 09:29:30 GMT"),
            ("Age", "5"),
        ]).get()
        #expect(dated.initialAge == .seconds(30))
        #expect(
            try Self.admit([("Cache-Control", "max-age=60"), ("Age", "ten")]).get().initialAge == .zero,
            "an unreadable Age is ignored (§5.1)")
        #expect(Self.refusal([("Cache-Control", "max-age=60"), ("Age", "60")]) == "stale")
    }

    @Test(
        "responses that are not stored, and why",
        arguments: [
            ([("Cache-Control", "no-store")], "no-store"),
            ([("Cache-Control", "max-age=60, no-cache")], "no-cache"),
            ([("Cache-Control", #"no-cache="Set-Cookie""#)], "no-cache"),
            ([("Vary", "*")], "Vary: * or an unreadable Vary"),
            ([("Vary", "Accept, *")], "Vary: * or an unreadable Vary"),
            ([("Vary", "Acc@pt")], "Vary: * or an unreadable Vary"),
            ([("Content-Type", "Text/Event-Stream; charset=utf-8")], "an event stream"),
            ([("Content-Length", "1025")], "body above max_body"),
            ([("Content-Length", "many")], "Content-Length unreadable"),
            ([("Expires", "0")], "stale"),
            ([("Cache-Control", "max-age=0")], "stale"),
            ([("Cache-Control", #"max-age="30"#)], "Cache-Control unreadable: an unterminated quoted string"),
            ([("Cache-Control", "max-age=30 public")], "Cache-Control unreadable: a directive not followed by a comma"),
        ] as [([(String, String)], String)]
    )
    func notStored(_ response: [(String, String)], _ reason: String) {
        #expect(Self.refusal(response) == reason)
    }

    @Test("only GET and HEAD 200s, to requests without no-store")
    func methodsAndStatuses() {
        #expect(Self.refusal([], method: .post) == "method POST")
        #expect(Self.refusal([], status: .notFound) == "status 404")
        #expect(Self.refusal([], status: .partialContent) == "status 206")
        #expect(Self.refusal([], request: [("Cache-Control", "no-store")]) == "request no-store")
        #expect(Self.refusal([("Content-Length", "999999")], method: .head) == nil, "a HEAD's length is the GET's")
    }

    @Test("Vary names are lower-cased and sorted; the proxy's credential and priority headers are not compared")
    func varyNames() throws {
        let admission = try Self.admit([
            ("Vary", "Accept-Encoding, ACCEPT"), ("Vary", "Authorization, OAuthtop-Priority, ,"),
        ])
        .get()
        #expect(admission.vary.names == ["accept", "accept-encoding"])
    }

    @Test("requests that may be answered from the cache (§5.2.1), and the oldest age they accept")
    func requests() {
        func age(_ pairs: [(String, String)], _ method: HTTPRequest.Method = .get) -> Duration? {
            CachePolicy.acceptableAge(method: method, request: .pairs(pairs))
        }
        #expect(age([]) == .seconds(Int64.max))
        #expect(age([], .head) == .seconds(Int64.max))
        #expect(age([], .post) == nil)
        #expect(age([("Cache-Control", "no-cache")]) == nil)
        #expect(age([("Cache-Control", "no-store")]) == nil)
        #expect(age([("Cache-Control", "max-age=0")]) == nil)
        #expect(age([("Cache-Control", "max-age=10")]) == .seconds(10))
        #expect(age([("Pragma", "no-cache")]) == nil)
        #expect(age([("Pragma", "no-cache"), ("Cache-Control", "max-age=5")]) == .seconds(5), "Cache-Control wins")
        #expect(age([("Range", "bytes=0-10")]) == nil)
    }

    @Test("Cache-Control parsing: quoted arguments with escapes, unknown directives, empty members")
    func cacheControlParsing() {
        let parsed = CacheControl(lines: [#", ,private, community="U\"CI", max-age=7,, S-MAXAGE=9"#])
        #expect(parsed.malformed == nil)
        #expect(parsed.isPrivate)
        #expect(parsed.maxAge == 7)
        #expect(parsed.sMaxAge == 9)
        #expect(CacheControl(lines: ["max-age=99999999999999999999"]).maxAge == 2_147_483_648)
        #expect(CacheControl(lines: ["=5"]).malformed == "a directive that is not a token")
    }
}
