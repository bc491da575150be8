import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the daemon's token socket lives, for the daemon and for its clients alike.
public enum TokenSocketPath {
    /// The environment variable a client reads when no `--socket` is given.
    public static let environmentVariable = "OAUTHTOP_SOCKET"

    /// `$XDG_RUNTIME_DIR/oauthtop/oauthtop.sock`, or `/tmp/oauthtop-UID/oauthtop.sock` when
    /// `XDG_RUNTIME_DIR` is unset, empty or not absolute.
    public static func defaultPath(environment: [String: String], uid: UInt32 = UInt32(getuid())) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return (runtime as NSString).appendingPathComponent("oauthtop/oauthtop.sock")
        }
        return "/tmp/oauthtop-\(uid)/oauthtop.sock"
    }

    /// The socket a client talks to: `explicit` (`--socket`), else `$OAUTHTOP_SOCKET`, else the default.
    public static func forClient(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let variable = environment[Self.environmentVariable], !variable.isEmpty { return variable }
        return Self.defaultPath(environment: environment)
    }

    /// Whether a server accepts connections at `path` right now (a plain `connect(2)`).
    public static func isListening(_ path: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path) - 1
        guard bytes.count <= capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
