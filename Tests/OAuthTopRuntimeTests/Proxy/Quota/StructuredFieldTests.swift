import Testing

@testable import OAuthTopRuntime

/// RFC 9651's parsing rules, on the values the rate-limit fields use and on the RFC's own edge cases.
@Suite("Quota: structured fields (RFC 9651)")
struct StructuredFieldTests {
    @Test("a List of strings with integer parameters (draft-ietf-httpapi-ratelimit-headers-10 §3.2)")
    func listOfPolicies() throws {
        let members = try StructuredField.list([#""permin";q=50;w=60,"perhr";q=1000;w=3600"#]).get()
        #expect(members.count == 2)
        let first = try #require(members.first?.item)
        #expect(first.value == .string("permin"))
        #expect(first[parameter: "q"] == .integer(50))
        #expect(first[parameter: "w"] == .integer(60))
        #expect(members[1].item?[parameter: "q"] == .integer(1000))
    }

    @Test("several field lines form one List (RFC 9651 §4.2 step 1)")
    func severalLines() throws {
        let members = try StructuredField.list([#""a";r=1"#, #""b";r=2"#]).get()
        #expect(members.compactMap { $0.item?.value.name } == ["a", "b"])
    }

    @Test("every bare item type, inner lists and boolean parameters")
    func bareItems() throws {
        let members = try StructuredField.list([
            #"tok/en:x, -12, 4.5, ?0, :cHJldGVuZA==:, @1659578233, %"f%c3%bcr", ("a" b);lvl=5, x;flag"#
        ]).get()
        #expect(members.count == 9)
        #expect(members[0].item?.value == .token("tok/en:x"))
        #expect(members[1].item?.value == .integer(-12))
        #expect(members[2].item?.value == .decimal(4.5))
        #expect(members[3].item?.value == .boolean(false))
        #expect(members[4].item?.value == .byteSequence("cHJldGVuZA=="))
        #expect(members[5].item?.value == .date(1_659_578_233))
        #expect(members[6].item?.value == .displayString("für"))
        guard case .innerList(let items, let parameters) = members[7] else {
            Issue.record("not an inner list")
            return
        }
        #expect(items.map(\.value) == [.string("a"), .token("b")])
        #expect(parameters == ["lvl"])
        #expect(members[8].item?[parameter: "flag"] == .boolean(true))
    }

    @Test("a Dictionary (draft -07's RateLimit: limit=100, remaining=50, reset=5)")
    func dictionary() throws {
        let members = try StructuredField.dictionary(["limit=100, remaining=50, reset=5"]).get()
        #expect(members.map(\.key) == ["limit", "remaining", "reset"])
        #expect(members.map { $0.value.item?.value } == [.integer(100), .integer(50), .integer(5)])
        let flags = try StructuredField.dictionary(["a, b=2, a=3"]).get()
        #expect(flags.map(\.key) == ["b", "a"], "a repeated key keeps its last value, in its last place")
    }

    @Test(
        "malformed values fail with a reason and an offset, never trap",
        arguments: [
            #""a";r=1,"#, #""unterminated"#, "1234567890123456", "1.2345", "1234567890123.1", "1.", "?2",
            #""a\x""#, "(a b", "a;R=1", ":not base64!:", #"%"%C3""#, #"%"%ff""#, "a b", "\u{1}", "-", "a,,b",
        ]
    )
    func malformed(_ text: String) {
        guard case .failure(let failure) = StructuredField.list([text]) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(failure.offset >= 0 && failure.offset <= text.utf8.count)
        #expect(!failure.reason.isEmpty)
    }

    @Test("leading and trailing spaces are allowed, tabs inside lists too; 15-digit integers and 3 decimals fit")
    func limits() throws {
        #expect(try StructuredField.list(["  1,\t2  "]).get().count == 2)
        #expect(try StructuredField.list(["999999999999999"]).get().first?.item?.value == .integer(999_999_999_999_999))
        #expect(
            try StructuredField.list(["-123456789012.5"]).get().first?.item?.value == .decimal(-123_456_789_012.5))
        #expect(try StructuredField.list([""]).get().isEmpty)
    }
}
