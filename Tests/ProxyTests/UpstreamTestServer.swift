import Foundation
import OAuthTopTestKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A raw-socket HTTP/1.x upstream on 127.0.0.1 (a Python script, `/usr/bin/python3`), for the proxy's upstream
/// client: it answers as no framework would (HTTP/1.0, close-delimited bodies, `103 Early Hints`, silence,
/// resets, a keep-alive connection dropped as a request arrives, a big body whose send blocks), over plain TCP
/// or TLS, and logs connections and requests (never a header or a body) to a file the test reads.
///
/// Paths: `/ok` (200 `ok CONNECTION BODYLENGTH METHOD`), `/drop-if-reused` (as `/ok` on a new connection;
/// closes a reused one without answering), `/close-later` (keep-alive answer, then a quiet close),
/// `/close-after` (`Connection: close`), `/http10-length`, `/http10-eof`, `/http11-eof`, `/early-hints`,
/// `/head` (a HEAD answered with `Content-Length: 1234`), `/chunks?n=N` (N chunks `hello` in one write), `/slow?ms=N`, `/silent-head`, `/silent-body`,
/// `/reset-body`, `/big?size=N` (logs `stalled SENT` when its send blocks 2 s, `sent N` at the end).
final class RawUpstream: Sendable {
    let directory: String
    let port: Int
    let secure: Bool
    private let pid: pid_t
    private let reaped = Mutex(false)

    /// `http(s)://127.0.0.1:PORT`.
    var baseURL: String { "\(self.secure ? "https" : "http")://127.0.0.1:\(self.port)" }

    private init(directory: String, port: Int, secure: Bool, pid: pid_t) {
        self.directory = directory
        self.port = port
        self.secure = secure
        self.pid = pid
    }

    /// Starts the server in `directory` (which the caller owns), over TLS with `certificate` when given.
    static func start(in directory: String, certificate: TestCertificates.Pair? = nil) async throws -> RawUpstream {
        let script = directory + "/upstream.py"
        try rawUpstreamScript.write(toFile: script, atomically: true, encoding: .utf8)
        let name = "upstream-\(UUID().uuidString.prefix(6))"
        let portFile = directory + "/\(name).port"
        var arguments = [script, portFile, directory + "/\(name).log"]
        if let certificate { arguments += [certificate.certificate, certificate.key] }
        let pid = try Subprocess.spawn(
            "/usr/bin/python3", arguments, environment: ["PATH": "/usr/bin:/bin"], outputFile: directory + "/\(name).out"
        )
        let started = await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: portFile) }
        guard started, let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let output = (try? String(contentsOfFile: directory + "/\(name).out", encoding: .utf8)) ?? ""
            throw ProxyTestFailure("the raw upstream did not start within 30 s: \(output.suffix(500))")
        }
        let server = RawUpstream(directory: directory, port: port, secure: certificate != nil, pid: pid)
        server.logFile.withLock { $0 = directory + "/\(name).log" }
        return server
    }

    private let logFile = Mutex("")

    /// Stops the server (SIGKILL: it keeps nothing) and reaps it.
    func stop() {
        let first = self.reaped.withLock { reaped in
            defer { reaped = true }
            return !reaped
        }
        guard first else { return }
        kill(self.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) < 0, errno == EINTR {}
    }

    /// The log's lines so far.
    var events: [String] {
        let path = self.logFile.withLock { $0 }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The connections accepted so far.
    var accepted: Int { self.events.filter { $0.hasPrefix("accept ") }.count }

    /// The most connections open at once so far.
    var maxOpen: Int {
        self.events.compactMap { line -> Int? in
            guard line.hasPrefix("accept ") else { return nil }
            return Int(line.split(separator: " ")[2])
        }.max() ?? 0
    }

    /// Whether connection `id` was closed (by either side).
    func closed(_ id: Int) -> Bool { self.events.contains { $0.hasPrefix("close \(id) ") } }

    /// The requests to `path`: the connection each came on and its number on that connection.
    func requests(_ path: String) -> [(connection: Int, index: Int, method: String)] {
        self.events.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[0] == "request", parts[4] == path, let connection = Int(parts[1]),
                let index = Int(parts[2])
            else { return nil }
            return (connection, index, String(parts[3]))
        }
    }

    /// The bytes of `/big` sent before its send first blocked, once it has.
    var stalledAt: Int? {
        self.events.first { $0.hasPrefix("stalled ") }.flatMap { Int($0.split(separator: " ")[1]) }
    }
}

/// Runs `body` with a raw upstream in a fresh private directory, stopped and removed afterwards.
func withRawUpstream<T: Sendable>(
    certificate: (String) async throws -> TestCertificates.Pair? = { _ in nil },
    _ body: (RawUpstream) async throws -> T
) async throws -> T {
    let directory = "/tmp/oauthtop-raw-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    chmod(directory, 0o700)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let server = try await RawUpstream.start(in: directory, certificate: try await certificate(directory))
    defer { server.stop() }
    return try await body(server)
}

/// A throwaway CA and server certificates made with `openssl` (P-256 keys), for TLS upstreams on 127.0.0.1.
enum TestCertificates {
    struct Pair: Sendable {
        let certificate: String
        let key: String
    }

    /// The CA file (`ca.pem`) in `directory`, made once per directory.
    static func authority(in directory: String) async throws -> String {
        let ca = directory + "/ca.pem"
        if FileManager.default.fileExists(atPath: ca) { return ca }
        try await self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory + "/ca.key", "-out", ca, "-days", "2", "-subj", "/CN=oauthtop test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return ca
    }

    /// A server certificate for `names` (`IP:127.0.0.1`, `DNS:localhost` ...), signed by the directory's CA,
    /// or self-signed (no CA trusts it) when `signed` is false.
    static func server(in directory: String, name: String, names: [String], signed: Bool = true) async throws -> Pair {
        let key = directory + "/\(name).key"
        let certificate = directory + "/\(name).pem"
        let extensions = directory + "/\(name).ext"
        try """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature
            extendedKeyUsage=serverAuth
            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try await self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", directory + "/\(name).csr", "-subj", "/CN=\(name)",
        ])
        if signed {
            let ca = try await self.authority(in: directory)
            try await self.openssl([
                "x509", "-req", "-in", directory + "/\(name).csr", "-CA", ca, "-CAkey", directory + "/ca.key",
                "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensions,
            ])
        } else {
            try await self.openssl([
                "x509", "-req", "-in", directory + "/\(name).csr", "-signkey", key, "-out", certificate, "-days", "2",
                "-extfile", extensions,
            ])
        }
        return Pair(certificate: certificate, key: key)
    }

    private static func openssl(_ arguments: [String]) async throws {
        let (status, output) = try await runProgram("/usr/bin/openssl", arguments)
        guard status == 0 else { throw ProxyTestFailure("openssl \(arguments.first ?? "") failed: \(output.suffix(500))") }
    }
}

/// What curl got, with its exit status (18 or 56 when the response was cut off).
struct CurlOutcome: Sendable {
    var exit: Int32
    var status: Int
    var body: String
}

/// `curl` through the proxy at `url` with the listener's secret (from a 0600 header file, never argv).
func curlThrough(_ url: String, secret: String, _ extra: [String] = []) async throws -> CurlOutcome {
    let file = try secretHeaderFile(["Authorization: Bearer \(secret)"]) ?? ""
    defer { try? FileManager.default.removeItem(atPath: file) }
    let (exit, output) = try await runProgram(
        "/usr/bin/curl", ["-s", "-m", "120", "-w", "\n%{http_code}", "-H", "@" + file] + extra + [url]
    )
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    return CurlOutcome(
        exit: exit, status: lines.last.flatMap { Int($0) } ?? 0, body: lines.dropLast().joined(separator: "\n")
    )
}

/// A client that reads a `/big` body slowly: the head and 256 KiB, then nothing until the file `go` exists,
/// then the rest; it prints the status, the bytes read and whether they are the upstream's pattern. Its
/// receive buffer is small, so what piles up is the proxy's (or the kernel's), not the client's.
let slowReaderScript = #"""
    import http.client, os, socket, sys, time
    port, secret_file, go, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    secret = open(secret_file).read().strip()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    sock.connect(("127.0.0.1", port))
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.sock = sock
    connection.request("GET", "/big?size=%d" % size, headers={"Authorization": "Bearer " + secret})
    response = connection.getresponse()
    data = bytearray(response.read(262144))
    deadline = time.time() + 120
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    try:
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            data += chunk
        complete = True
    except Exception as error:
        complete = False
    pattern = (bytes(range(256)) * (len(data) // 256 + 1))[: len(data)]
    print(response.status, len(data), "pattern" if data == pattern else "garbled", "complete" if complete else "cut")
    """#
/// The raw upstream's Python source (see ``RawUpstream``).
let rawUpstreamScript = #"""
    # A scripted HTTP/1.x upstream for the proxy's upstream-client tests: raw sockets, so that it can answer
    # as no framework would (HTTP/1.0, close-delimited bodies, 103, silence, resets). It logs connection and
    # request events (never headers or bodies) to a file the test reads.
    import select, socket, ssl, struct, sys, threading, time

    port_file, log_file = sys.argv[1], sys.argv[2]
    cert, key = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    lock = threading.Lock()
    state = {"next": 0, "active": 0}
    log = open(log_file, "a", buffering=1)

    def note(line):
        with lock:
            log.write(line + "\n")
            log.flush()

    def read_head(conn, buf):
        while b"\r\n\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                return None, buf
            buf += data
        head, _, rest = buf.partition(b"\r\n\r\n")
        return head.decode("latin-1"), rest

    def read_exact(conn, buf, n):
        while len(buf) < n:
            data = conn.recv(65536)
            if not data:
                raise EOFError()
            buf += data
        return buf[:n], buf[n:]

    def read_line(conn, buf):
        while b"\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                raise EOFError()
            buf += data
        line, _, rest = buf.partition(b"\r\n")
        return line, rest

    def read_body(conn, headers, buf):
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                line, buf = read_line(conn, buf)
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    _, buf = read_line(conn, buf)
                    return body, buf
                chunk, buf = read_exact(conn, buf, size + 2)
                body += chunk[:-2]
        n = int(headers.get("content-length", "0"))
        return read_exact(conn, buf, n)

    def wait_for_close(conn):
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def answer(conn, status, body, extra="", version="HTTP/1.1"):
        conn.sendall(("%s %s\r\nContent-Length: %d\r\n%s\r\n" % (version, status, len(body), extra)).encode() + body)

    def send_big(conn, size):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n" % size)
        conn.setblocking(False)
        block = bytes(range(256)) * 256  # 64 KiB
        sent, stalled = 0, False
        while sent < size:
            _, writable, _ = select.select([], [conn], [], 2.0)
            if not writable:
                if not stalled:
                    note("stalled %d" % sent)
                    stalled = True
                continue
            try:
                start = sent % len(block)  # a partial send goes on where it stopped
                sent += conn.send(block[start : start + min(len(block) - start, size - sent)])
            except BlockingIOError:
                continue
        conn.setblocking(True)
        note("sent %d" % sent)

    def serve(conn, cid):
        buf = b""
        count = 0
        try:
            if cert:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
                conn = context.wrap_socket(conn, server_side=True)
            while True:
                head, buf = read_head(conn, buf)
                if head is None:
                    return
                lines = head.split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                count += 1
                path, _, query = target.partition("?")
                params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                note("request %d %d %s %s" % (cid, count, method, path))
                if path == "/drop-if-reused" and count > 1:
                    # The keep-alive race: the upstream closed the idle connection as the request arrived.
                    note("dropped %d" % cid)
                    return
                if path == "/silent-head":
                    wait_for_close(conn)
                    return
                body, buf = read_body(conn, headers, buf)
                if path in ("/ok", "/drop-if-reused"):
                    answer(conn, "200 OK", b"ok %d %d %s" % (cid, len(body), method.encode()))
                elif path == "/close-later":
                    answer(conn, "200 OK", b"closing soon")
                    time.sleep(0.1)
                    return
                elif path == "/close-after":
                    answer(conn, "200 OK", b"closed after this", "Connection: close\r\n")
                    return
                elif path == "/http10-length":
                    # HTTP/1.0 without keep-alive; the socket stays open, so a reuse would be seen here.
                    answer(conn, "200 OK", b"one-oh with length", version="HTTP/1.0")
                elif path == "/http10-eof":
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 100000 + b"end")
                    return
                elif path == "/http11-eof":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"y" * 100000 + b"end")
                    return
                elif path == "/early-hints":
                    conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
                    time.sleep(0.05)
                    answer(conn, "200 OK", b"final answer")
                elif path == "/head":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n")
                elif path == "/slow":
                    time.sleep(int(params.get("ms", "500")) / 1000)
                    answer(conn, "200 OK", b"slow %d" % cid)
                elif path == "/silent-body":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"z" * 1000)
                    wait_for_close(conn)
                    return
                elif path == "/reset-body":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"r" * 1000)
                    time.sleep(0.05)
                    raw = conn.unwrap() if cert else conn
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    raw.close()
                    return
                elif path == "/chunks":
                    # Many small chunks in one write: one read of the proxy's holds them all.
                    count = int(params.get("n", "200"))
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"5\r\nhello\r\n" * count + b"0\r\n\r\n"
                    )
                elif path == "/big":
                    send_big(conn, int(params.get("size", "1048576")))
                else:
                    answer(conn, "404 Not Found", b"no such path")
        except (OSError, EOFError, ValueError, ssl.SSLError) as error:
            note("error %d %s" % (cid, type(error).__name__))
        finally:
            try:
                conn.close()
            except OSError:
                pass
            with lock:
                state["active"] -= 1
                active = state["active"]
            note("close %d %d" % (cid, active))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        with lock:
            state["next"] += 1
            state["active"] += 1
            cid, active = state["next"], state["active"]
        note("accept %d %d" % (cid, active))
        threading.Thread(target=serve, args=(conn, cid), daemon=True).start()
    """#
