#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a loopback helper could not do its job (the machine, not the code under test, failed).
public struct LoopbackError: Error, CustomStringConvertible {
    public let description: String
}

/// A loopback port nobody listens on: bound to 127.0.0.1 port 0, read and closed.
///
/// For servers that cannot be told to pick their own port and report it (Alertmanager), and for a
/// receiver that is down. Prefer port 0 and reading the bound port back wherever the server allows it.
///
/// - Throws: ``LoopbackError`` when no socket can be made or bound.
public func freeLoopbackPort() throws -> Int {
    let fd = makeTCPSocket()
    guard fd >= 0 else { throw LoopbackError(description: "cannot create a socket: errno \(errno)") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw LoopbackError(description: "cannot bind 127.0.0.1:0: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw LoopbackError(description: "getsockname failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A loopback port that refuses connections for as long as this object lives: a socket bound to 127.0.0.1
/// port 0 that never listens. Unlike ``freeLoopbackPort()``, the port cannot be taken meanwhile by a server
/// the test starts (a proxy bound to port 0 got the "free" port of an unreachable token endpoint once).
public final class RefusingLoopbackPort: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    /// - Throws: ``LoopbackError`` when no socket can be made or bound.
    public init() throws {
        let fd = makeTCPSocket()
        guard fd >= 0 else { throw LoopbackError(description: "cannot create a socket: errno \(errno)") }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            close(fd)
            throw LoopbackError(description: "cannot bind 127.0.0.1:0: errno \(errno)")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(self.fd) }
}

/// Whether a plain TCP connect to `port` on 127.0.0.1 is refused (nothing listens there).
public func connectionRefused(port: Int) -> Bool {
    let fd = makeTCPSocket()
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    let result = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return result != 0 && errno == ECONNREFUSED
}

private func makeTCPSocket() -> Int32 {
    #if canImport(Glibc)
    socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    socket(AF_INET, SOCK_STREAM, 0)
    #endif
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
