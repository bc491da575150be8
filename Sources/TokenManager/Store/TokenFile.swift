import Primitives

/// A file that holds one provider's current token for another program: `oauthtop exec`'s token file
/// and the daemon's sinks.
///
/// Why it exists: both keep a file that other processes read at any moment, so it is always replaced
/// whole (``AtomicFile``), created with its final mode, owner and group, and written in one of two
/// formats. The token itself never appears in a log or an error: only its fingerprint does.
public struct TokenFile: Sendable, Hashable, CustomStringConvertible {
    /// What the file contains.
    public struct Format: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The access token alone, with no newline (what `Authorization: Bearer $(cat FILE)` needs).
        public static let raw = Format("raw")
        /// A ``TokenDocument``: `{access_token, token_type, expires_at, expires_in}`.
        public static let json = Format("json")

        /// Every format, for configuration parsers and help texts.
        public static let all: [Format] = [.raw, .json]

        /// The format named `name`, if any.
        public init?(name: String) {
            guard let format = Self.all.first(where: { $0.rawValue == name }) else { return nil }
            self = format
        }

        public var description: String { self.rawValue }
    }

    /// The file's path.
    public var path: String
    /// Its permission bits; 0600 by default.
    public var mode: FileMode
    /// The user id it belongs to; `nil` for the writer's.
    public var owner: UInt32?
    /// The group id it belongs to; `nil` for the writer's.
    public var group: UInt32?
    public var format: Format

    public init(
        path: String,
        mode: FileMode = .ownerReadWrite,
        owner: UInt32? = nil,
        group: UInt32? = nil,
        format: Format = .raw
    ) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.group = group
        self.format = format
    }

    /// The bytes the file holds for `token` as of `now` (Unix nanoseconds).
    public func contents(of token: AccessToken, now: Int64) -> [UInt8] {
        switch self.format {
        case .json: TokenDocument(token, now: now).encoded()
        default: Array(token.value.revealed.utf8)
        }
    }

    /// Replaces the file with `token` atomically.
    ///
    /// - Throws: ``AtomicFileError`` naming the path and the system's reason; never the token.
    public func write(_ token: AccessToken, now: Int64) throws(AtomicFileError) {
        try AtomicFile.write(
            self.contents(of: token, now: now), to: self.path, mode: self.mode, owner: self.owner, group: self.group
        )
    }

    public var description: String {
        var text = "\(self.path) (\(self.format), mode \(self.mode)"
        if let owner { text += ", owner \(owner)" }
        if let group { text += ", group \(group)" }
        return text + ")"
    }
}
