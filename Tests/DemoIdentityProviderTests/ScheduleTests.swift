@testable import DemoIdentityProvider
import Primitives
import Testing

@Suite("Schedule matching and encodings")
struct ScheduleTests {
    @Test("windows are half-open, endpoints filter, counts run out")
    func matching() {
        var state = ProviderState(
            schedule: FaultSchedule(faults: [
                Fault(kind: .httpError(status: 502), start: .seconds(1), end: .seconds(2), endpoints: ["a"]),
                Fault(kind: .invalidGrant, count: 2),
            ]),
            endpointNames: ["a", "b"]
        )
        #expect(state.decideFault(endpoint: "a", at: .milliseconds(999))?.kind == .invalidGrant)
        #expect(state.decideFault(endpoint: "a", at: .seconds(1))?.kind == .httpError(status: 502))
        #expect(state.decideFault(endpoint: "b", at: .milliseconds(1500))?.kind == .invalidGrant)
        #expect(state.decideFault(endpoint: "a", at: .seconds(2)) == nil, "count used up, window closed")
        #expect(state.faultHits == [1, 2])
    }

    @Test("outage windows: active state and the next change")
    func outageWindows() {
        let state = ProviderState(
            schedule: FaultSchedule(faults: [
                Fault(kind: .outage, start: .seconds(10), end: .seconds(20), endpoints: ["a"]),
                Fault(kind: .outage, start: .seconds(15), end: .seconds(30)),
            ]),
            endpointNames: ["a", "b"]
        )
        #expect(state.outage(endpoint: "a", at: .seconds(5)) == (false, .seconds(10)))
        #expect(state.outage(endpoint: "a", at: .seconds(12)) == (true, .seconds(15)))
        #expect(state.outage(endpoint: "b", at: .seconds(12)) == (false, .seconds(15)))
        #expect(state.outage(endpoint: "a", at: .seconds(25)) == (true, .seconds(30)))
        #expect(state.outage(endpoint: "a", at: .seconds(30)) == (false, nil))
    }

    @Test("IMF-fixdate", arguments: [
        (Int64(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (Int64(0), "Thu, 01 Jan 1970 00:00:00 GMT"),
        (Int64(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT"),
        (Int64(4_102_444_799), "Thu, 31 Dec 2099 23:59:59 GMT"),
    ])
    func httpDate(seconds: Int64, expected: String) {
        #expect(HTTPDate.format(secondsSince1970: seconds) == expected)
    }

    @Test("form decoding: plus, percent escapes, repeats, invalid input")
    func formDecoding() throws {
        let form = try #require(FormParameters.parse(Array("a=1+2&b=%C3%A9%26&c&a=3".utf8)))
        #expect(form["a"] == "3")
        #expect(form["b"] == "é&")
        #expect(form["c"] == "")
        #expect(form.repeated == "a")
        #expect(FormParameters.parse(Array("a=%G0".utf8)) == nil)
        #expect(FormParameters.parse(Array("a=%FF".utf8)) == nil)
        let secret = "s3cret with spaces & symbols:%"
        #expect(formDecode(Array(FormEncoding.encode(secret).utf8)) == secret)
    }

    @Test("fingerprints hide the secret")
    func fingerprints() {
        let print = "sha256:" + Secret.fingerprint(of: "my-secret")
        #expect(print.hasPrefix("sha256:"))
        #expect(print.count == 15)
        #expect(!print.contains("my-secret"))
    }
}
