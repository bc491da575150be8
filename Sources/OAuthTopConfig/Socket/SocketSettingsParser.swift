import Primitives
import Yams

/// Parses the `socket:` section of `oauthtop.yaml` into ``SocketSettings``.
///
/// ```yaml
/// socket:
///   path: /run/user/1000/oauthtop/oauthtop.sock   # default: $XDG_RUNTIME_DIR/oauthtop/oauthtop.sock
///   mode: "0660"                                  # octal, as a string; default "0600"
///   group: builders                               # its members may connect too
///   tcp: {listen: 127.0.0.1:8765, secret_file: /run/user/1000/oauthtop/tcp.secret}
/// ```
///
/// The mode is read as octal whatever YAML makes of it (`0660` unquoted is the same as `"0660"`),
/// never as decimal; bits beyond `0777` are refused. The TCP listener must be on a loopback address.
struct SocketSettingsParser {
    let reader: YAMLReader

    static let keys = ["enabled", "path", "mode", "group", "tcp"]
    static let tcpKeys = ["listen", "secret_file"]

    /// Reads the value of `socket:`; `nil` after reporting at least one error.
    func settings(_ field: YAMLField) -> SocketSettings? {
        if field.isNull { return SocketSettings() }
        guard let map = self.reader.mapping(field, allowedKeys: Self.keys, context: "'socket'") else { return nil }
        let errorsBefore = self.reader.diagnostics.errorCount
        var settings = SocketSettings()
        if let enabled = map.optional("enabled", self.reader.bool) { settings.enabled = enabled }
        settings.path = map.optional("path", self.path)
        if let mode = map.optional("mode", self.mode) { settings.mode = mode }
        settings.group = map.optional("group", self.group)
        settings.tcp = map.optional("tcp", self.tcp)
        guard self.reader.diagnostics.errorCount == errorsBefore else { return nil }
        return settings
    }

    /// An absolute path that fits a Unix socket address (107 bytes on Linux, 103 on macOS).
    func path(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field) else { return nil }
        guard text.hasPrefix("/") else {
            self.reader.error("must be an absolute path, found \(field.foundDescription)", at: field)
            return nil
        }
        guard text.utf8.count <= Self.maxSocketPathBytes else {
            self.reader.error(
                "is \(text.utf8.count) bytes long; a Unix socket path must be at most \(Self.maxSocketPathBytes)",
                at: field
            )
            return nil
        }
        return text
    }

    /// The longest socket path every supported system accepts (`sun_path` minus its terminator).
    static let maxSocketPathBytes = 103

    /// The socket file's mode, parsed as every file mode in the configuration is (``FileMode``: octal with a
    /// leading 0, decimal-looking digits refused).
    func mode(_ field: YAMLField) -> UInt16? {
        guard let text = field.scalarText?.trimmingSpaces else {
            self.reader.mismatch(field, expected: "an octal file mode written as a string, like \"0600\" or \"0660\"")
            return nil
        }
        do {
            return UInt16(try FileMode(parsing: text).permissions)
        } catch {
            self.reader.error(error.description, at: field)
            return nil
        }
    }

    func group(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field)?.trimmingSpaces else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$")
        guard text.allSatisfy({ allowed.contains($0) }), !text.hasPrefix("-") else {
            self.reader.mismatch(field, expected: "a group name or numeric group id")
            return nil
        }
        return text
    }

    func tcp(_ field: YAMLField) -> SocketSettings.TCP? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.tcpKeys, context: "'socket.tcp'") else {
            return nil
        }
        let listen = map.required("listen", self.loopbackListen)
        let secretFile = map.optional("secret_file", self.path)
        return listen.map { SocketSettings.TCP(listen: $0, secretFile: secretFile) }
    }

    /// `HOST:PORT` where HOST is `127.0.0.1`, `localhost` or `[::1]`: the token listener never
    /// leaves the machine.
    func loopbackListen(_ field: YAMLField) -> String? {
        let expectation = "a loopback HOST:PORT like 127.0.0.1:8765"
        guard let text = field.scalarText?.trimmingSpaces, let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        guard ["127.0.0.1", "localhost", "[::1]"].contains(String(text[..<colon])) else {
            self.reader.error(
                "the token listener must be on a loopback address (127.0.0.1, localhost or [::1]), "
                    + "found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return text
    }
}
