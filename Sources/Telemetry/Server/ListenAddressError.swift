/// Why a `HOST:PORT` text is not a ``ListenAddress``.
public struct ListenAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case empty
        case missingPort
        case invalidPort
        case invalidHost
        case unbracketedIPv6
    }

    private let code: Code
    /// The text that was parsed.
    public let input: String
    /// What was wrong, naming the input.
    public let message: String

    private init(_ code: Code, input: String, message: String) {
        self.code = code
        self.input = input
        self.message = message
    }

    /// The text is empty.
    public static func empty(input: String) -> Self {
        Self(.empty, input: input, message: "listen address is empty; expected HOST:PORT such as 127.0.0.1:9464")
    }

    /// There is no `:PORT`.
    public static func missingPort(input: String) -> Self {
        Self(
            .missingPort,
            input: input,
            message: "listen address '\(input)' has no port; expected HOST:PORT such as 127.0.0.1:9464 or :9464"
        )
    }

    /// The port is not a number in 0...65535.
    public static func invalidPort(input: String, port: String) -> Self {
        Self(
            .invalidPort,
            input: input,
            message: "listen address '\(input)': port '\(port)' is not a number between 0 and 65535"
        )
    }

    /// The host has characters a host name or IP address cannot have.
    public static func invalidHost(input: String, host: String) -> Self {
        Self(
            .invalidHost,
            input: input,
            message: "listen address '\(input)': host '\(host)' is not a host name or IP address"
        )
    }

    /// An IPv6 address without brackets.
    public static func unbracketedIPv6(input: String) -> Self {
        Self(
            .unbracketedIPv6,
            input: input,
            message: "listen address '\(input)': write an IPv6 host in brackets, as in [::1]:9464"
        )
    }

    public var description: String { self.message }
}
