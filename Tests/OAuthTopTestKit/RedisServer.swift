import Foundation
import Logging
import NIOPosix
import Primitives
import RedisClient
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's real `redis-server` on a free 127.0.0.1 port, with a private temporary directory, no
/// persistence, and optional password, ACL user and TLS.
///
/// ``with(_:_:)`` starts it, waits until it answers `PING`, runs the body, then stops it and removes
/// its directory whatever the body does. ``stop()`` and ``start()`` stop and start it again on the same
/// port, for tests that restart Redis under a running client.
///
/// Secrets stay off the command line: the password and the ACL user are written to a `redis.conf` (mode
/// 0600) in the temporary directory; every other option is an argument. Suites skip when the binary is
/// missing: `@Suite(.enabled(if: RedisServer.isInstalled, RedisServer.missingMessage))`.
public final class RedisServer: Sendable {
    public static let binary = "/usr/bin/redis-server"
    /// Whether `redis-server` is installed.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: Self.binary) }
    /// Why a suite that needs the server is skipped.
    public static let missingMessage: Comment =
        "redis-server is not installed: scripts/test installs it (apt-get install redis-server redis-tools)"

    /// How the server is set up.
    public struct Options: Sendable {
        /// `requirepass`: the default user's password.
        public var password: String?
        /// An ACL user allowed everything, with its password.
        public var aclUser: (name: String, password: String)?
        /// Serve TLS only (`--port 0 --tls-port PORT`) with these files.
        public var tls: TLSFiles?

        public init(password: String? = nil, aclUser: (name: String, password: String)? = nil, tls: TLSFiles? = nil) {
            self.password = password
            self.aclUser = aclUser
            self.tls = tls
        }
    }

    /// A throwaway certificate authority and a server certificate for 127.0.0.1 and `localhost`.
    public struct TLSFiles: Sendable {
        public var caCertificate: String
        public var certificate: String
        public var key: String

        /// Generates the CA and the server certificate with `openssl` in `directory`.
        ///
        /// - Throws: When `openssl` fails (its output is in the error).
        public static func generate(in directory: URL) throws -> TLSFiles {
            let path = { (name: String) in directory.appendingPathComponent(name).path }
            let extensions = path("server.ext")
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: extensions, atomically: true, encoding: .utf8)
            let steps: [[String]] = [
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2", "-subj", "/CN=oauthtop test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ],
                [
                    "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost",
                ],
                [
                    "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-out", path("server.crt"), "-days", "2", "-extfile", extensions,
                ],
            ]
            for arguments in steps {
                let output = path("openssl.log")
                let status = try Subprocess.run(
                    "/usr/bin/openssl", arguments, environment: ProcessInfo.processInfo.environment, outputFile: output
                )
                guard status == 0 else {
                    let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                    throw LoopbackError(description: "openssl \(arguments[0]) exited \(status): \(log)")
                }
            }
            return TLSFiles(caCertificate: path("ca.crt"), certificate: path("server.crt"), key: path("server.key"))
        }
    }

    public let port: Int
    public let directory: URL
    public let options: Options
    private let pid = Mutex<pid_t?>(nil)

    /// A client configuration for this server: its address, TLS trusting its CA, the ACL user (or the
    /// default user's password), and short timeouts and backoff for tests.
    public var configuration: RedisConfiguration {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: self.port)
        if let tls = self.options.tls { configuration.tls = .enabled(caFile: tls.caCertificate) }
        if let user = self.options.aclUser {
            configuration.username = user.name
            configuration.password = Secret(user.password)
        } else if let password = self.options.password {
            configuration.password = Secret(password)
        }
        configuration.connectTimeout = .seconds(5)
        configuration.commandTimeout = .seconds(10)
        configuration.reconnect = RedisReconnectBackoff(base: .milliseconds(20), max: .milliseconds(200))
        return configuration
    }

    /// Makes the directory and chooses the port; ``start()`` runs the server.
    ///
    /// - Parameter makeTLS: Called with the directory to make TLS files there (``TLSFiles/generate(in:)``).
    public init(options: Options = Options(), makeTLS: Bool = false) throws {
        self.port = try freeLoopbackPort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oauthtop-redis-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        var options = options
        if makeTLS { options.tls = try TLSFiles.generate(in: self.directory) }
        self.options = options
    }

    /// Starts a server, waits until it answers `PING`, runs `body`, then stops it and removes its directory.
    public static func with<T: Sendable>(
        _ options: Options = Options(),
        tls: Bool = false,
        _ body: (RedisServer) async throws -> T
    ) async throws -> T {
        // The free port is chosen before redis-server binds it: another test may take it in between. Such a
        // start fails at once ("Address already in use"); a new server on another port is tried then.
        var attempt = 0
        while true {
            attempt += 1
            let server = try RedisServer(options: options, makeTLS: tls)
            do {
                try await server.start()
            } catch {
                let portTaken = server.logTail.contains("Address already in use")
                server.remove()
                if portTaken && attempt < 5 { continue }
                throw error
            }
            defer { server.remove() }
            return try await body(server)
        }
    }

    /// Runs `redis-server` on ``port`` and waits until it answers `PING` (up to 30 s).
    ///
    /// - Throws: When it exits or does not answer in time; the error holds the end of its log.
    public func start() async throws {
        let config = self.directory.appendingPathComponent("redis.conf")
        var lines: [String] = []
        if let password = self.options.password { lines.append("requirepass \"\(password)\"") }
        if let user = self.options.aclUser { lines.append("user \(user.name) on >\(user.password) ~* &* +@all") }
        let written = FileManager.default.createFile(
            atPath: config.path, contents: Data((lines.joined(separator: "\n") + "\n").utf8),
            attributes: [.posixPermissions: 0o600]
        )
        guard written else { throw LoopbackError(description: "cannot write \(config.path)") }
        var arguments = [
            config.path, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.directory.path,
            "--daemonize", "no", "--logfile", "", "--enable-debug-command", "local",
        ]
        if let tls = self.options.tls {
            arguments += [
                "--port", "0", "--tls-port", String(self.port), "--tls-cert-file", tls.certificate,
                "--tls-key-file", tls.key, "--tls-ca-cert-file", tls.caCertificate, "--tls-auth-clients", "no",
            ]
        } else {
            arguments += ["--port", String(self.port)]
        }
        // posix_spawn with an empty signal mask (Subprocess), not Foundation's Process: a child of a Swift
        // pool thread would inherit its blocked SIGTERM and ignore ``stop()``.
        let pid = try Subprocess.spawn(
            Self.binary, arguments, environment: ProcessInfo.processInfo.environment,
            outputFile: self.directory.appendingPathComponent("redis.log").path, append: true
        )
        self.pid.withLock { $0 = pid }

        var configuration = self.configuration
        configuration.connectTimeout = .seconds(1)
        configuration.commandTimeout = .seconds(1)
        let ready = await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
            // A server that exited (a port taken since it was chosen) ends the wait at once.
            guard !Self.hasExited(pid) else { return true }
            guard
                let connection = try? await RedisConnection.connect(
                    configuration: configuration, eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
                    logger: Logger(label: "redis-server-fixture", factory: { _ in SwiftLogNoOpLogHandler() })
                )
            else { return false }
            let answered = (try? await connection.ping()) != nil
            await connection.close()
            return answered
        }
        guard ready, !Self.hasExited(pid) else {
            self.stop()
            throw LoopbackError(description: "redis-server did not answer PING on port \(self.port): \(self.logTail)")
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it exited. The port and the
    /// directory stay, so ``start()`` brings it back on the same port.
    public func stop() {
        guard
            let pid = self.pid.withLock({ current -> pid_t? in
                defer { current = nil }
                return current
            })
        else { return }
        kill(pid, SIGTERM)
        // Bounded: redis-server without persistence exits within milliseconds of SIGTERM.
        for _ in 0..<500 {
            if Self.hasExited(pid) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Whether the child `pid` has exited (and is reaped now), without waiting.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result < 0 && errno == ECHILD)
    }

    /// Stops the server and removes its directory.
    public func remove() {
        self.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// The last lines the server logged, for failure messages.
    public var logTail: String {
        let text = try? String(contentsOf: self.directory.appendingPathComponent("redis.log"), encoding: .utf8)
        return (text ?? "").split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}
