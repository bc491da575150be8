/// The store could not do what the protocol asked (unreachable, timed out, an answer it does not
/// understand). The coordinator treats any error a store throws the same way: coordination is down
/// for the provider until a later call succeeds.
public struct CoordinationStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable { case unavailable, unexpectedReply }
    private let code: Code
    private let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The store cannot be reached; `detail` says why and where (never a password).
    public static func unavailable(_ detail: String) -> Self {
        .init(.unavailable, "coordination store unavailable: \(detail)")
    }

    /// The store answered something the protocol cannot use; `detail` names the operation and the key.
    public static func unexpectedReply(_ detail: String) -> Self {
        .init(.unexpectedReply, "unexpected reply from the coordination store: \(detail)")
    }

    /// Whether the store could not be reached.
    public var isUnavailable: Bool { self.code == .unavailable }

    public var description: String { self.message }
}
