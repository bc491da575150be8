/// Why a credential helper (`oauthtop credential git`, `oauthtop credential kubectl`) could not
/// answer: bad input from the calling tool, or a token that cannot be written in its format. The
/// message names where the input is wrong and never holds a token.
public struct CredentialHelperError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case tooLarge, nulByte, missingEquals, emptyKey, badExecInfo, unsupportedAPIVersion, unwritableValue
        case noProvider
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func tooLarge(_ count: Int, limit: Int) -> Self {
        Self(.tooLarge, "git credential input: \(count) bytes or more, more than the \(limit) bytes accepted")
    }

    static func nulByte(line: Int) -> Self {
        Self(.nulByte, "git credential input line \(line): contains a NUL byte")
    }

    static func missingEquals(line: Int) -> Self {
        Self(.missingEquals, "git credential input line \(line): expected key=value, found no '='")
    }

    static func emptyKey(line: Int) -> Self {
        Self(.emptyKey, "git credential input line \(line): the key before '=' is empty")
    }

    static func badExecInfo(_ reason: String) -> Self {
        Self(.badExecInfo, "KUBERNETES_EXEC_INFO: \(reason)")
    }

    static func unsupportedAPIVersion(_ version: String) -> Self {
        Self(
            .unsupportedAPIVersion,
            "KUBERNETES_EXEC_INFO: apiVersion '\(version)' is not supported; expected "
                + ExecCredential.APIVersion.all.map(\.rawValue).joined(separator: " or ")
        )
    }

    static func unwritableValue(_ key: String) -> Self {
        Self(.unwritableValue, "the \(key) contains a newline or NUL byte and cannot be written as a git credential")
    }

    /// The daemon serves several providers (or none) and no `--provider` was given.
    public static func noProvider(available: [String]) -> Self {
        if available.isEmpty {
            return Self(.noProvider, "the daemon serves no provider")
        }
        return Self(
            .noProvider,
            "the daemon serves \(available.count) providers (\(available.joined(separator: ", "))); "
                + "choose one with --provider NAME"
        )
    }
}
