/// The `socket:` section of `oauthtop.yaml`: the daemon's local token socket (`docs/socket.md`).
///
/// Values are as written, checked for syntax; the runtime resolves the defaults (the path under
/// `$XDG_RUNTIME_DIR`) and the group name, which depend on the machine.
public struct SocketSettings: Sendable, Hashable {
    /// Whether `oauthtop run` serves the socket at all.
    public var enabled: Bool
    /// The Unix socket's path; `nil` means `$XDG_RUNTIME_DIR/oauthtop/oauthtop.sock` (or a
    /// per-user directory under `/tmp` when `XDG_RUNTIME_DIR` is unset).
    public var path: String?
    /// The socket file's permission bits, written in the file as an octal string (`"0660"`).
    public var mode: UInt16
    /// A group (name or numeric id) whose members may connect besides the daemon's own user.
    public var group: String?
    /// The optional loopback TCP listener; `nil` serves the Unix socket only.
    public var tcp: TCP?

    /// The loopback TCP form, which requires a per-run bearer secret.
    public struct TCP: Sendable, Hashable {
        /// `HOST:PORT` on a loopback address; port 0 picks a free port.
        public var listen: String
        /// Where the per-run secret is written (mode 0600); `nil` means beside the socket.
        public var secretFile: String?

        public init(listen: String, secretFile: String? = nil) {
            self.listen = listen
            self.secretFile = secretFile
        }
    }

    /// The default socket file mode: the owner only.
    public static let defaultMode: UInt16 = 0o600

    public init(
        enabled: Bool = true,
        path: String? = nil,
        mode: UInt16 = SocketSettings.defaultMode,
        group: String? = nil,
        tcp: TCP? = nil
    ) {
        self.enabled = enabled
        self.path = path
        self.mode = mode
        self.group = group
        self.tcp = tcp
    }
}
