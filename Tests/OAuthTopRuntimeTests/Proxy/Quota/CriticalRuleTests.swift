import HTTPTypes
import Testing

@testable import OAuthTopRuntime

@Suite("Quota: critical requests (header and path rules)")
struct CriticalRuleTests {
    static let rule = CriticalRule(
        header: "OAuthtop-Priority", paths: ["/v1/messages/batches/*", "/v1/admin/**", "/v1/*-priority/run", "/"]
    )

    @Test("the header says critical, in any case, with whitespace, or as one of several values")
    func header() {
        for value in ["critical", "CRITICAL", " Critical ", "low, critical"] {
            #expect(Self.rule.isCritical(path: "/x", headers: .pairs([("OAuthtop-Priority", value)])), "\(value)")
        }
        for value in ["", "high", "critical-ish", "not critical"] {
            #expect(!Self.rule.isCritical(path: "/x", headers: .pairs([("OAuthtop-Priority", value)])), "\(value)")
        }
        #expect(Self.rule.isCritical(path: "/x", headers: .pairs([("oauthtop-priority", "critical")])))
        let custom = CriticalRule(header: "X-Urgent", paths: [])
        #expect(custom.isCritical(path: "/x", headers: .pairs([("X-Urgent", "critical")])))
        #expect(!custom.isCritical(path: "/x", headers: .pairs([("OAuthtop-Priority", "critical")])))
    }

    @Test(
        "path patterns: * within a segment, a trailing /** any rest; the query is ignored",
        arguments: [
            ("/v1/messages/batches/abc", true), ("/v1/messages/batches/abc?x=1", true),
            ("/v1/messages/batches/", true), ("/v1/messages/batches", false), ("/v1/messages/batches/a/b", false),
            ("/v1/admin", true), ("/v1/admin/", true), ("/v1/admin/users/7", true), ("/v1/administrator", false),
            ("/v1/high-priority/run", true), ("/v1/-priority/run", true), ("/v1/high-priority/runs", false),
            ("/v1/a/b-priority/run", false), ("/", true), ("/v2", false), ("", false),
        ]
    )
    func paths(_ path: String, _ critical: Bool) {
        #expect(Self.rule.isCritical(path: path, headers: [:]) == critical)
    }

    @Test("/** matches every path; ** inside a segment is two stars; the pattern text is kept")
    func patterns() {
        #expect(CriticalPathPattern("/**").matches("/anything/at/all"))
        #expect(CriticalPathPattern("/a/**b").matches("/a/xxb"))
        #expect(!CriticalPathPattern("/a/**b").matches("/a/x/b"))
        #expect(CriticalPathPattern("/v1/batches/*").text == "/v1/batches/*")
    }

    @Test("many stars cannot take exponential time (one backtrack point)")
    func manyStars() {
        let pattern = "/" + String(repeating: "a*", count: 40) + "b"
        let path = "/" + String(repeating: "a", count: 5_000)
        #expect(!CriticalPathPattern(pattern).matches(path))
    }
}
