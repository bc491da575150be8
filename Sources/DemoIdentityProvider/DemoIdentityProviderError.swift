/// An error from the demo identity provider itself (not an OAuth error sent to a client).
///
/// The message says what was wrong and where: the configuration field, or the endpoint by name.
public struct DemoIdentityProviderError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case invalidConfiguration
        case bindFailed
        case notListening
        case stopped
        case timedOut
    }

    private let code: Code
    /// What went wrong and where, never containing a secret.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The configuration cannot be served (a bad port, a duplicate endpoint name, a short key...).
    public static func invalidConfiguration(_ message: String) -> Self { Self(.invalidConfiguration, message) }
    /// An endpoint's listener could not bind its address.
    public static func bindFailed(_ message: String) -> Self { Self(.bindFailed, message) }
    /// A name that is not one of the provider's endpoints.
    public static func notListening(_ message: String) -> Self { Self(.notListening, message) }
    /// `run()` finished (failed or was cancelled) before the awaited condition held.
    public static func stopped(_ message: String) -> Self { Self(.stopped, message) }
    /// A wait did not see its condition before its deadline.
    public static func timedOut(_ message: String) -> Self { Self(.timedOut, message) }

    /// Errors are equal when they are of the same kind, whatever their messages say.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    public var description: String {
        let name = switch self.code {
        case .invalidConfiguration: "invalidConfiguration"
        case .bindFailed: "bindFailed"
        case .notListening: "notListening"
        case .stopped: "stopped"
        case .timedOut: "timedOut"
        }
        return "DemoIdentityProviderError.\(name): \(self.message)"
    }
}
