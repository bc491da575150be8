/// Why a notifier could not deliver: it names the notifier and, for HTTP, the status, and never
/// the URL's path or query, a routing key or a header value.
public struct NotifierError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case httpStatus = "http_status"
        case transport
        case timeout
        case encoding
        case commandFailed = "command_failed"
        case commandTimeout = "command_timeout"
        case commandLaunch = "command_launch"
    }

    private let code: Code
    /// The notifier's name.
    public let notifier: String
    /// The HTTP status the receiver answered, for `httpStatus` errors.
    public let status: Int?
    /// How long the receiver asked to wait (`Retry-After` on 429/503).
    public let retryAfter: Duration?
    /// What went wrong, without secrets.
    public let detail: String

    private init(_ code: Code, notifier: String, status: Int? = nil, retryAfter: Duration? = nil, detail: String) {
        self.code = code
        self.notifier = notifier
        self.status = status
        self.retryAfter = retryAfter
        self.detail = detail
    }

    /// A short, bounded label for metrics and logs: `http_status`, `timeout`, ...
    public var shortCode: String { self.code.rawValue }

    /// Whether another attempt may succeed: not for HTTP 4xx other than 408 and 429, nor for a
    /// payload that cannot be encoded.
    public var isRetryable: Bool {
        switch self.code {
        case .httpStatus:
            guard let status else { return true }
            return !(400...499).contains(status) || status == 408 || status == 429
        case .encoding, .commandLaunch: return false
        case .transport, .timeout, .commandFailed, .commandTimeout: return true
        }
    }

    /// The receiver answered with a status other than 2xx.
    public static func httpStatus(_ status: Int, notifier: String, host: String, retryAfter: Duration? = nil)
        -> NotifierError
    {
        NotifierError(
            .httpStatus, notifier: notifier, status: status, retryAfter: retryAfter,
            detail: "\(host) answered HTTP \(status)"
        )
    }

    /// The request could not be made or its answer not read (connection refused, reset, ...).
    public static func transport(notifier: String, host: String, reason: String) -> NotifierError {
        NotifierError(.transport, notifier: notifier, detail: "cannot reach \(host): \(reason)")
    }

    /// An attempt took longer than its timeout.
    public static func timeout(notifier: String, after duration: Duration) -> NotifierError {
        NotifierError(.timeout, notifier: notifier, detail: "no answer within \(duration)")
    }

    /// The payload could not be encoded.
    public static func encoding(notifier: String, reason: String) -> NotifierError {
        NotifierError(.encoding, notifier: notifier, detail: "cannot encode the payload: \(reason)")
    }

    /// The command ran and exited with a non-zero status or was killed by a signal.
    public static func commandFailed(notifier: String, program: String, reason: String) -> NotifierError {
        NotifierError(.commandFailed, notifier: notifier, detail: "command \(program) \(reason)")
    }

    /// The command was killed after running longer than its timeout.
    public static func commandTimeout(notifier: String, program: String, after duration: Duration)
        -> NotifierError
    {
        NotifierError(.commandTimeout, notifier: notifier, detail: "command \(program) killed after \(duration)")
    }

    /// The command could not be started.
    public static func commandLaunch(notifier: String, program: String, reason: String) -> NotifierError {
        NotifierError(.commandLaunch, notifier: notifier, detail: "cannot start command \(program): \(reason)")
    }

    public var description: String { "notifier '\(self.notifier)': \(self.detail)" }
}
