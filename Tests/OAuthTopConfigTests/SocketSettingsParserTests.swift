import OAuthTopConfig
import Testing

@Suite("The socket: section")
struct SocketSettingsParserTests {
    static let provider = """
        providers:
          - {name: gh, grant: client_credentials, token_endpoints: [https://idp.example.com/token], client_id: c,
             client_secret: {env: SECRET}}

        """

    func parse(_ socket: String) -> ParseOutcome<OAuthTopConfiguration> {
        parseConfig(Self.provider + socket)
    }

    @Test("absent, the socket is on with the defaults: the default path, mode 0600, no group, no TCP")
    func defaults() throws {
        let settings = try self.parse("").get().socket
        #expect(settings == SocketSettings())
        #expect(settings.enabled && settings.path == nil && settings.mode == 0o600 && settings.tcp == nil)
    }

    @Test("every key parses; the mode is octal whether quoted or not")
    func full() throws {
        let settings = try self.parse(
            """
            socket:
              path: /run/oauthtop/oauthtop.sock
              mode: "0660"
              group: builders
              tcp: {listen: 127.0.0.1:8765, secret_file: /run/oauthtop/tcp.secret}
            """
        ).get().socket
        #expect(settings.path == "/run/oauthtop/oauthtop.sock")
        #expect(settings.mode == 0o660)
        #expect(settings.group == "builders")
        #expect(settings.tcp == SocketSettings.TCP(listen: "127.0.0.1:8765", secretFile: "/run/oauthtop/tcp.secret"))
        #expect(try self.parse("socket: {mode: 0640}").get().socket.mode == 0o640)
        #expect(try self.parse("socket: {mode: 0o600}").get().socket.mode == 0o600)
        #expect(try self.parse("socket: {enabled: false}").get().socket.enabled == false)
    }

    @Test(
        "mistakes are reported at their line and column",
        arguments: [
            // The socket's mode is parsed as the sinks' are (Primitives' FileMode).
            ("socket: {mode: \"0999\"}", "4:16", "is not an octal number"),
            ("socket: {mode: \"01777\"}", "4:16", "sets setuid, setgid or sticky bits"),
            ("socket: {mode: rw-------}", "4:16", "is not an octal number"),
            ("socket: {mode: \"660\"}", "4:16", "looks decimal"),
            ("socket: {path: relative.sock}", "4:16", "path: must be an absolute path"),
            ("socket: {tcp: {listen: 0.0.0.0:8765}}", "4:24", "must be on a loopback address"),
            ("socket: {tcp: {listen: 127.0.0.1}}", "4:24", "expected a loopback HOST:PORT"),
            ("socket: {tcp: {secret_file: /x}}", "4:15", "missing required key 'listen'"),
            ("socket: {grup: x}", "4:10", "unknown key 'grup' in 'socket'; did you mean 'group'?"),
            ("socket: {group: 'a b'}", "4:17", "group: expected a group name or numeric group id"),
            ("socket: [x]", "4:9", "expected a mapping"),
        ]
    )
    func mistakes(text: String, position: String, message: String) {
        let outcome = self.parse(text)
        #expect(outcome.value == nil)
        let error = outcome.errors.first
        #expect(error?.position == position, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("a path too long for a Unix socket address is refused")
    func longPath() {
        let outcome = self.parse("socket: {path: /\(String(repeating: "a", count: 120))}")
        #expect(outcome.errors.first?.message.contains("at most 103") == true)
    }
}
