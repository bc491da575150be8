/// Why the token socket could not be set up or served: a message naming the path, group or address.
public struct TokenSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case unknownGroup, badListen, directory, inUse, notASocket, permissions, secretFile
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func unknownGroup(_ group: String) -> Self {
        Self(.unknownGroup, "socket.group: no group '\(group)' on this machine")
    }

    static func badListen(_ listen: String, reason: String) -> Self {
        Self(.badListen, "socket.tcp.listen '\(listen)': \(reason)")
    }

    static func directory(_ path: String, _ reason: String) -> Self {
        Self(.directory, "token socket directory \(path): \(reason)")
    }

    static func inUse(_ path: String) -> Self {
        Self(.inUse, "another oauthtop daemon is already serving \(path); stop it or give this one --socket PATH")
    }

    static func notASocket(_ path: String) -> Self {
        Self(.notASocket, "\(path) exists and is not a socket; remove it or choose another socket path")
    }

    static func permissions(_ path: String, _ reason: String) -> Self {
        Self(.permissions, "token socket \(path): \(reason)")
    }

    static func secretFile(_ path: String, _ reason: String) -> Self {
        Self(.secretFile, "token socket secret file \(path): \(reason)")
    }
}
