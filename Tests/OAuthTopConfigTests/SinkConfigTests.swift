import OAuthTopConfig
import Primitives
import Testing
import TokenManager

@Suite("oauthtop.yaml: sinks")
struct SinkConfigTests {
    /// One provider whose `sinks:` list starts at line 7; `second` adds another provider.
    static func yaml(_ sinks: String, second: String = "") -> String {
        """
        providers:
          - name: github
            grant: client_credentials
            token_endpoints: [https://idp.test/token]
            client_id: c
            client_secret: {env: SECRET}
            sinks:
        \(sinks)
        \(second)
        """
    }

    @Test("sinks parse with mode as an octal string, owner and group by name or id, and a format")
    func valid() throws {
        let text = Self.yaml("""
                  - path: /run/oauthtop/github.token
                    mode: "0640"
                    owner: nobody
                    group: 65534
                    format: json
                  - path: /run/oauthtop/github.raw
                    mode: 0600
            """)
        let outcome = parseConfig(text)
        #expect(outcome.diagnostics == [])
        let sinks = try outcome.get().sinks
        #expect(sinks.count == 2)
        #expect(sinks[0].provider == "github")
        #expect(sinks[0].file == TokenFile(
            path: "/run/oauthtop/github.token", mode: try FileMode(parsing: "0640"), owner: 65534, group: 65534,
            format: .json
        ))
        #expect(
            sinks[1].file == TokenFile(path: "/run/oauthtop/github.raw"), "unquoted 0600 is octal too; raw by default"
        )
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var sink: String
        var position: String
        var message: String
        var testDescription: String { self.message }
    }

    static let badCases: [BadCase] = [
        BadCase(
            sink: "      - {path: /run/t, mode: 640}", position: "8:30",
            message: #"mode: file mode "640" looks decimal; write it in octal with a leading 0 "#
                + #"("0640" if that is what you meant), e.g. "0600""#
        ),
        BadCase(
            sink: "      - {path: /run/t, mode: \"420\"}", position: "8:30",
            message: #"mode: file mode "420" looks decimal; write it in octal with a leading 0 "#
                + #"("0420" if that is what you meant), e.g. "0600""#
        ),
        BadCase(
            sink: "      - {path: /run/t, mode: \"0800\"}", position: "8:30",
            message: #"mode: file mode "0800" is not an octal number; write it like "0600" or "0640""#
        ),
        BadCase(
            sink: "      - {path: /run/t, mode: \"04755\"}", position: "8:30",
            message: #"mode: file mode "04755" sets setuid, setgid or sticky bits, which a token file must not have; "#
                + #"use at most "0777""#
        ),
        BadCase(
            sink: "      - {path: /run/t, mode: \"0200\"}", position: "8:30",
            message: "mode: mode 0200 does not let the owner read the file"
        ),
        BadCase(
            sink: "      - {path: run/t}", position: "8:16",
            message: "path: expected an absolute file path like /run/oauthtop/NAME.token, found 'run/t'"
        ),
        BadCase(
            sink: "      - {path: /run/t, owner: no-such-user-oauthtop}", position: "8:31",
            message: "owner: no user named 'no-such-user-oauthtop' on this machine (write a name or a numeric id)"
        ),
        BadCase(
            sink: "      - {path: /run/t, format: yaml}", position: "8:32",
            message: "format: expected one of raw | json, found 'yaml'"
        ),
        BadCase(
            sink: "      - {mode: \"0600\"}", position: "8:9",
            message: "missing required key 'path' in a sink"
        ),
    ]

    @Test("mistakes are reported at their line and column", arguments: badCases)
    func bad(_ bad: BadCase) throws {
        let outcome = parseConfig(Self.yaml(bad.sink))
        let diagnostic = try #require(outcome.diagnostics.first, "no diagnostic for \(bad.sink)")
        #expect(outcome.diagnostics.count == 1, "\(outcome.diagnostics)")
        #expect(diagnostic.message == bad.message)
        #expect(diagnostic.position == bad.position)
        #expect(outcome.value == nil)
    }

    @Test("a mode others may read is a warning, not an error")
    func worldReadable() throws {
        let outcome = parseConfig(Self.yaml("      - {path: /run/t, mode: \"0644\"}"))
        let diagnostic = try #require(outcome.diagnostics.first)
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.message.contains("lets other users read"))
        #expect(try outcome.get().sinks.first?.file.mode == FileMode(parsing: "0644"))
    }

    @Test("two sinks on one path are refused, even across providers")
    func duplicatePath() throws {
        let second = """
              - name: other
                grant: client_credentials
                token_endpoints: [https://idp.test/token]
                client_id: c
                client_secret: {env: SECRET}
                sinks: [{path: /run/t}]
            """
        let outcome = parseConfig(Self.yaml("      - {path: /run/t}", second: second))
        let diagnostic = try #require(outcome.diagnostics.first)
        #expect(diagnostic.message == "path: path /run/t is already the sink of provider 'github'")
        #expect(diagnostic.line == 14)
    }
}
