import Alerting
import Testing

/// Inputs that crashed a parser under the fuzz harness (Fuzz/), kept so the crash stays fixed.
@Suite("Fuzz regressions: the rule language")
struct FuzzRegressionTests {
    /// FuzzRuleExpression, 2026-12-05, on a crafted input: every nesting level (parentheses, a unary
    /// sign) was one more level of recursion, so 20,000 `(` overflowed the stack and crashed the process
    /// that read the rule file. Nesting is now bounded, with an error that says so.
    @Test(
        "deep nesting is an error, not a stack overflow",
        arguments: [
            String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000),
            String(repeating: "-", count: 50_000) + "1",
            "sum(" + String(repeating: "abs(", count: 5_000) + "x" + String(repeating: ")", count: 5_001),
        ]
    )
    func deepNesting(text: String) {
        #expect {
            _ = try RuleExpression.parse(text)
        } throws: { error in
            "\(error)".contains("nested more than 128 levels")
        }
    }

    @Test("nesting up to the limit still parses, here on a task's stack")
    func nestingWithinTheLimit() async throws {
        let depth = 120
        let text = String(repeating: "(", count: depth) + "1 + x" + String(repeating: ")", count: depth)
        _ = try RuleExpression.parse(text)
        _ = try RuleExpression.parse(String(repeating: "-", count: depth) + "x")
    }
}
