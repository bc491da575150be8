import Logging

/// One attempt of a ``TokenFileKeeper`` to put a token in its file: what a consumer record and the
/// `oauth_token_requests_total` counter are made from. It holds the token's fingerprint, never the token.
public struct TokenFileWrite: Sendable, Hashable {
    /// How the attempt ended: a short code, also the `outcome` label of `oauth_token_requests_total`.
    public struct Outcome: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The file holds the new token.
        public static let success = Outcome("success")
        /// No token could be had from the source; the file keeps the previous one.
        public static let tokenUnavailable = Outcome("token_unavailable")
        /// The token could not be written (directory, permissions, owner); the file keeps the previous one.
        public static let writeFailed = Outcome("write_failed")

        public var description: String { self.rawValue }
    }

    public var provider: String
    public var path: String
    /// Unix nanoseconds.
    public var at: Int64
    public var outcome: Outcome
    /// The fingerprint of the token written (or that could not be written); `nil` when there was none.
    public var tokenFingerprint: String?
    /// When the written token expires (Unix nanoseconds); `nil` unless written.
    public var expiresAt: Int64?
    /// Why it failed (names the path or the provider, never a token); `nil` on success.
    public var error: String?

    public init(
        provider: String,
        path: String,
        at: Int64,
        outcome: Outcome,
        tokenFingerprint: String? = nil,
        expiresAt: Int64? = nil,
        error: String? = nil
    ) {
        self.provider = provider
        self.path = path
        self.at = at
        self.outcome = outcome
        self.tokenFingerprint = tokenFingerprint
        self.expiresAt = expiresAt
        self.error = error
    }
}

extension TokenFileWrite {
    /// Logs the attempt, with the token's fingerprint only: at debug when the file holds the new token,
    /// at info when it does not.
    ///
    /// - Parameter kind: What the file is to the reader of the log (`token file`, `sink`).
    func log(to logger: Logger, kind: String) {
        var metadata: Logger.Metadata = ["provider": "\(self.provider)", "path": "\(self.path)"]
        if let fingerprint = self.tokenFingerprint { metadata["token"] = "\(fingerprint)" }
        if self.outcome == .success {
            logger.debug("\(kind) written", metadata: metadata)
        } else {
            metadata["outcome"] = "\(self.outcome)"
            metadata["error"] = "\(self.error ?? "")"
            logger.info("\(kind) not written", metadata: metadata)
        }
    }
}
