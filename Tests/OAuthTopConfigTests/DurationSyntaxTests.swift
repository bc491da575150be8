import OAuthTopConfig
import Testing

@Suite("Duration syntax")
struct DurationSyntaxTests {
    @Test(
        "valid durations",
        arguments: [
            ("500ms", Duration.milliseconds(500)),
            ("15s", .seconds(15)),
            ("2m", .seconds(120)),
            ("1h", .seconds(3600)),
            ("1m30s", .seconds(90)),
            ("1h2m3s", .seconds(3723)),
            ("1.5s", .milliseconds(1500)),
            ("0.25m", .seconds(15)),
            ("0", .zero),
            ("0s", .zero),
            (" 30s ", .seconds(30)),
        ]
    )
    func valid(text: String, expected: Duration) throws {
        #expect(try DurationSyntax.parse(text) == expected)
    }

    @Test(
        "invalid durations",
        arguments: [
            ("abc", "expected a duration like 500ms, 15s, 2m, 1h, found 'abc'"),
            ("-5s", "a duration cannot be negative, found '-5s'"),
            ("30", "expected a duration like 500ms, 15s, 2m, 1h, found '30' (add a unit, e.g. 30s)"),
            ("5x", "expected a duration like 500ms, 15s, 2m, 1h, found '5x'"),
            ("", "expected a duration like 500ms, 15s, 2m, 1h, found ''"),
            ("1.2.3s", "expected a duration like 500ms, 15s, 2m, 1h, found '1.2.3s'"),
            ("s", "expected a duration like 500ms, 15s, 2m, 1h, found 's'"),
            ("1m-30s", "expected a duration like 500ms, 15s, 2m, 1h, found '1m-30s'"),
            ("99999999999999h", "expected a duration like 500ms, 15s, 2m, 1h, found '99999999999999h'"),
        ]
    )
    func invalid(text: String, message: String) {
        #expect(throws: DurationSyntax.Problem(description: message)) {
            try DurationSyntax.parse(text)
        }
    }

    @Test(
        "formatting",
        arguments: [
            (Duration.seconds(90), "1m30s"), (.milliseconds(1500), "1s500ms"), (.zero, "0s"),
            (.milliseconds(200), "200ms"), (.seconds(3600), "1h"), (.seconds(3723), "1h2m3s"),
        ]
    )
    func format(duration: Duration, text: String) throws {
        #expect(DurationSyntax.format(duration) == text)
        #expect(try DurationSyntax.parse(text) == duration)
    }
}
