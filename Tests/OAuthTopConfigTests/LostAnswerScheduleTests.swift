import DemoIdentityProvider
import OAuthTopConfig
import Testing

@Suite("Fault schedule files: lost answers and the reuse interval")
struct LostAnswerScheduleTests {
    @Test("lost_answer parses with and without a delay; refresh_token_reuse_interval sets the provider's")
    func parses() throws {
        let yaml = """
            refresh_token_reuse_interval: 10s
            faults:
              - {kind: lost_answer, count: 1}
              - {kind: lost_answer, at: 5s, delay: 3s, endpoints: [primary]}
            """
        let schedule = try FaultScheduleFile.parse(yaml: yaml, file: "faults.yaml").get()
        #expect(
            schedule
                == FaultSchedule(
                    faults: [
                        Fault(kind: .lostAnswer(delay: nil), count: 1),
                        Fault(kind: .lostAnswer(delay: .seconds(3)), start: .seconds(5), endpoints: ["primary"]),
                    ],
                    refreshTokenReuseInterval: .seconds(10)
                )
        )
        let strict = try FaultScheduleFile.parse(yaml: "refresh_token_reuse_interval: 0s\nfaults: []", file: "f").get()
        #expect(strict.refreshTokenReuseInterval == .zero)
        #expect(try FaultScheduleFile.parse(yaml: "faults: []", file: "f").get().refreshTokenReuseInterval == nil)
    }

    @Test(
        "mistakes are reported at their position",
        arguments: [
            (
                "faults:\n  - {kind: lost_answer, delay: 0s}", "2:32",
                "delay: must be longer than 0s"
            ),
            (
                "faults:\n  - {kind: lost_answer, status: 500}", "2:25",
                "'status' does not apply to kind 'lost_answer' (only to error, rate_limit, api_error, api_rate_limit)"
            ),
            (
                "refresh_token_reuse_interval: soon\nfaults: []", "1:31",
                "refresh_token_reuse_interval: expected a duration like 500ms, 15s, 2m, 1h, found 'soon'"
            ),
        ]
    )
    func mistakes(yaml: String, position: String, message: String) throws {
        let outcome = FaultScheduleFile.parse(yaml: yaml, file: "faults.yaml")
        #expect(outcome.value == nil)
        #expect(outcome.errors.count == 1, "\(outcome.errors)")
        let diagnostic = try #require(outcome.errors.first)
        #expect(diagnostic.message == message)
        #expect(diagnostic.position == position)
    }
}
