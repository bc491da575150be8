import OAuthTopConfig
import Testing

@Suite("Position-aware YAML reading")
struct YAMLReaderTests {
    /// Reads the value of `key: VALUE` with `read`, returning the value and the diagnostics.
    func read<Value>(
        _ value: String,
        _ read: (YAMLReader, YAMLField) -> Value?
    ) throws -> (Value?, [String]) {
        let collector = DiagnosticCollector(file: "f.yaml")
        let reader = YAMLReader(diagnostics: collector)
        let root = try #require(YAMLDocument.compose("key: \(value)", diagnostics: collector))
        let map = try #require(reader.mapping(YAMLField(name: "", node: root), allowedKeys: ["key"]))
        let result = map.optional("key") { read(reader, $0) }
        return (result, collector.diagnostics.map(\.description))
    }

    @Test(
        "typed scalars",
        arguments: [
            ("true", "bool", "true"), ("no", "bool", "f.yaml:1:6: error: key: expected true or false, found 'no'"),
            ("2.5", "double", "2.5"), ("x", "double", "f.yaml:1:6: error: key: expected a number, found 'x'"),
            ("[a, b]", "string", "f.yaml:1:6: error: key: expected a string, found a list"),
            ("", "string", "f.yaml:1:5: error: key: expected a string, found nothing"),
            ("''", "string", ""), ("'  '", "nonEmpty", "f.yaml:1:6: error: key: must not be empty"),
            ("a b  c", "words", "a,b,c"), ("[a, b]", "words", "a,b"),
            ("7", "int", "7"), ("1_000", "int", "1000"),
            ("12", "port", "12"), ("70000", "port", "f.yaml:1:6: error: key: must be between 1 and 65535, found 70000"),
            ("{a: 1}", "int", "f.yaml:1:6: error: key: expected an integer, found a mapping"),
            (
                "bsic", "choice",
                "f.yaml:1:6: error: key: expected one of basic | body, found 'bsic'; did you mean 'basic'?"
            ),
            ("zzz", "choice", "f.yaml:1:6: error: key: expected one of basic | body, found 'zzz'"),
            ("https://a.test:8443/t?x=1", "url", "https://a.test:8443/t?x=1"),
            (
                "https:///t", "url",
                "f.yaml:1:6: error: key: expected an http/https URL like "
                    + "https://idp.example.com/oauth/token, found 'https:///t'"
            ),
        ]
    )
    func scalars(value: String, type: String, expected: String) throws {
        let (result, diagnostics) = try self.read(value) { reader, field -> String? in
            switch type {
            case "bool": reader.bool(field).map { "\($0)" }
            case "double": reader.double(field).map { "\($0)" }
            case "string": reader.string(field)
            case "nonEmpty": reader.nonEmptyString(field)
            case "words": reader.words(field)?.joined(separator: ",")
            case "int": reader.int(field).map { "\($0)" }
            case "port": reader.int(field, in: 1...65535).map { "\($0)" }
            case "choice": reader.choice(field, from: ["basic", "body"])
            default: reader.url(field)
            }
        }
        #expect((result ?? diagnostics.joined(separator: "\n")) == expected)
        #expect(result == nil || diagnostics.isEmpty)
    }

    @Test(
        "did you mean: close keys only, ignoring case and dashes",
        arguments: [
            ("clinet_id", "client_id"), ("CLIENT-ID", "client_id"), ("retyr", "retry"), ("tokn_type", "token_type"),
            ("banana", nil), ("x", nil),
        ]
    )
    func suggestion(word: String, expected: String?) {
        #expect(Suggestion.closest(to: word, in: ["client_id", "retry", "token_type", "grant"]) == expected)
    }

    @Test("diagnostics sort by position and print like a compiler's")
    func collector() {
        let collector = DiagnosticCollector(file: "a.yaml")
        collector.report("later", at: SourcePosition(line: 3, column: 1))
        collector.report("whole file", at: nil)
        collector.report("earlier", at: SourcePosition(line: 1, column: 2), severity: .warning)
        #expect(
            collector.sortedDiagnostics.map(\.description) == [
                "a.yaml: error: whole file", "a.yaml:1:2: warning: earlier", "a.yaml:3:1: error: later",
            ]
        )
        #expect(collector.errorCount == 2)
    }

    @Test("the check summary counts errors and warnings")
    func summary() {
        let warning = Diagnostic(file: "c.yaml", line: 1, column: 1, severity: .warning, message: "w")
        let error = Diagnostic(file: "c.yaml", line: 2, column: 1, message: "e")
        #expect(
            ConfigCheckReport(file: "c.yaml", diagnostics: [warning], providerCount: 2).summary
                == "c.yaml: OK (2 providers, 1 warning)"
        )
        #expect(
            ConfigCheckReport(file: "c.yaml", diagnostics: [], providerCount: 1, proxyCount: 2).summary
                == "c.yaml: OK (1 provider, 2 proxies)"
        )
        #expect(
            ConfigCheckReport(file: "c.yaml", diagnostics: [error, warning], providerCount: nil).summary
                == "1 error, 1 warning in c.yaml"
        )
    }
}
