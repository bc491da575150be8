import Clocks
import Primitives
import Synchronization
import Testing

@Suite("Primitives: one of each shared helper")
struct PrimitivesTests {
    @Test(arguments: [
        (Duration.seconds(2), Int64(2_000_000_000), Int64(2000)),
        (.milliseconds(1500), 1_500_000_000, 1500),
        (.nanoseconds(1_999_999), 1_999_999, 1),
        (.seconds(Int64.max), .max, .max),
        (.seconds(Int64.min), .min, .min),
    ])
    func durationUnits(duration: Duration, nanoseconds: Int64, milliseconds: Int64) {
        #expect(duration.nanoseconds == nanoseconds)
        #expect(duration.milliseconds == milliseconds)
    }

    @Test func durationSecondsAndRoundingUp() {
        #expect(Duration.milliseconds(2500).seconds == 2.5)
        #expect(Duration.milliseconds(2001).wholeSecondsRoundedUp == 3)
        #expect(Duration.seconds(2).wholeSecondsRoundedUp == 2)
    }

    @Test("the hand-written IMF-fixdate reads back through the parser")
    func httpDateRoundTrip() throws {
        for seconds: Int64 in [0, 784_111_777, 951_782_400, 1_700_000_000, 4_102_444_799] {
            let text = HTTPDate.format(secondsSince1970: seconds)
            #expect(try #require(HTTPDate.parse(text)) == Double(seconds), "\(text)")
        }
        #expect(HTTPDate.format(784_111_777.9) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func formEncoding() {
        #expect(FormEncoding.encode("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9")
        let body = FormEncoding.encode([("grant_type", "refresh_token"), ("x", "1 2")])
        #expect(body == "grant_type=refresh_token&x=1+2")
    }

    @Test("a secret prints only the first 8 hex digits of its SHA-256")
    func secret() {
        let secret = Secret("my-secret")
        #expect(secret.fingerprint.count == 8)
        #expect(secret.fingerprint == Secret.fingerprint(of: "my-secret"))
        #expect("\(secret)" == "secret(sha256:\(secret.fingerprint))")
        #expect(!String(reflecting: secret).contains("my-secret"))
    }

    @Test("an injected clock drives wall time; the coarse reading of an injected clock is the precise one")
    func wallClock() async throws {
        let test = TestClock()
        let clock = WallClock(test, wallOriginNanos: 1_700_000_000_000_000_000)
        #expect(clock.now() == 1_700_000_000_000_000_000)
        await test.advance(by: .milliseconds(1500))
        #expect(clock.now() == 1_700_000_001_500_000_000)
        #expect(clock.coarseNow() == clock.now())
        #expect(clock.nowMilliseconds() == 1_700_000_001_500)
        #expect(clock.sinceEpoch() == .nanoseconds(1_700_000_001_500_000_000))
    }

    @Test("the system clock's coarse reading is within a tick of the precise one")
    func systemClock() {
        let precise = WallClock.system.now()
        let coarse = WallClock.system.coarseNow()
        #expect(abs(coarse - precise) < 1_000_000_000)
    }

    @Test("a line writer stops writing once its output is gone")
    func lineWriter() {
        let lines = Lines()
        let writer = JSONLineWriter { line -> Bool in
            lines.append(line)
            return lines.count < 2
        }
        writer.emit("a")
        writer.emit("b")
        writer.emit("c")
        #expect(lines.all == ["a\n", "b\n"])
    }
}

final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { self.storage.withLock { $0.append(line) } }
    var count: Int { self.storage.withLock { $0.count } }
    var all: [String] { self.storage.withLock { $0 } }
}
