/// Why `oauthtop exec` could not run its command, with the exit status it then ends with (the
/// shell's conventions for a command not found or not executable, sysexits' for the rest).
public struct ExecError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case usage
        case noToken
        case commandNotFound
        case notExecutable
        case tokenDirectory
        case system
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// A wrong provider choice or command line (exit 2, as every usage error of oauthtop).
    static func usage(_ message: String) -> ExecError { ExecError(.usage, message) }

    /// No valid token could be had before starting the command (exit 69, EX_UNAVAILABLE).
    static func noToken(provider: String, reason: String) -> ExecError {
        ExecError(.noToken, "no token for provider '\(provider)', so the command was not started: \(reason)")
    }

    /// The command is not on PATH (exit 127).
    static func commandNotFound(_ command: String) -> ExecError {
        ExecError(.commandNotFound, "\(command): command not found")
    }

    /// The command exists but cannot be run (exit 126).
    static func notExecutable(_ command: String, reason: String) -> ExecError {
        ExecError(.notExecutable, "\(command): cannot run it: \(reason)")
    }

    /// The token file or its directory could not be made (exit 73, EX_CANTCREAT).
    static func tokenDirectory(_ reason: String) -> ExecError { ExecError(.tokenDirectory, reason) }

    /// A system call failed (exit 71, EX_OSERR).
    static func system(_ reason: String) -> ExecError { ExecError(.system, reason) }

    /// The status `oauthtop exec` exits with.
    public var exitCode: Int32 {
        switch self.code {
        case .usage: 2
        case .noToken: 69
        case .commandNotFound: 127
        case .notExecutable: 126
        case .tokenDirectory: 73
        case .system: 71
        }
    }
}
