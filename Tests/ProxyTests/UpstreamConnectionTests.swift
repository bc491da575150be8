import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Synchronization
import Testing

/// Runs a raw upstream and a proxy in front of it (at its root) for `body`, with the listener's secret.
func withRawUpstreamProxy<T: Sendable>(
    _ options: ProxyOptions = ProxyOptions(),
    certificate: (String) async throws -> TestCertificates.Pair? = { _ in nil },
    upstreamURL: (RawUpstream) -> String = { $0.baseURL },
    caFile: (String) async throws -> String? = { _ in nil },
    _ body: @Sendable (ProxyFixture, RawUpstream, String) async throws -> T
) async throws -> T {
    try await withRawUpstream(certificate: certificate) { upstream in
        var options = options
        options.upstreamURL = upstreamURL(upstream)
        if let ca = try await caFile(upstream.directory) { options.caFile = ca }
        return try await withProxy(options) { proxy in try await body(proxy, upstream, try proxy.secret) }
    }
}

/// The connections that carried requests to `path`, in order.
private func connections(_ upstream: RawUpstream, _ path: String) -> [Int] {
    upstream.requests(path).map(\.connection)
}

@Suite("API proxy: the upstream connection pool against a raw HTTP/1.x upstream")
struct UpstreamConnectionTests {
    @Test("20 sequential requests travel on one keep-alive upstream connection")
    func keepAliveReuse() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            for _ in 0..<20 {
                let answer = try await curlThrough(proxy.url + "/ok", secret: secret)
                #expect(answer.status == 200 && answer.body.hasPrefix("ok "), "\(answer.body)")
            }
            #expect(upstream.requests("/ok").count == 20)
            #expect(upstream.accepted == 1, "one connection for all: \(upstream.events.filter { $0.hasPrefix("accept") })")
        }
    }

    @Test("a keep-alive connection the upstream dropped as the request came is retried on a new one (GET, small POST)")
    func staleKeepAliveRetried() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            let get = try await curlThrough(proxy.url + "/drop-if-reused", secret: secret)
            #expect(get.status == 200 && get.body.hasSuffix(" GET"), "\(get.body)")
            let post = try await curlThrough(
                proxy.url + "/drop-if-reused", secret: secret, ["-X", "POST", "--data-binary", "a small kept body"]
            )
            #expect(post.status == 200 && post.body.hasSuffix(" 17 POST"), "the body was sent again whole: \(post.body)")
            let drops = upstream.events.filter { $0.hasPrefix("dropped ") }.count
            #expect(drops == 2, "both requests met a dropped connection first: \(upstream.events)")
            #expect(upstream.requests("/drop-if-reused").count == 4, "each sent twice")

            // The upstream closes an idle connection quietly (no `Connection: close`) after its answer.
            let quiet = try await curlThrough(proxy.url + "/close-later", secret: secret)
            #expect(quiet.status == 200)
            let quietConnection = try #require(connections(upstream, "/close-later").first)
            #expect(await eventually { upstream.closed(quietConnection) }, "the upstream closed it")
            let next = try await curlThrough(proxy.url + "/ok", secret: secret)
            #expect(next.status == 200, "\(next.body)")
            #expect(connections(upstream, "/ok").last != quietConnection)
        }
    }

    @Test("a request whose body was streamed is not sent again when its reused connection drops: 502")
    func staleKeepAliveStreamedBodyNotRetried() async throws {
        var options = ProxyOptions()
        options.authErrors.replayBodyLimit = 1024
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            let file = upstream.directory + "/body.bin"
            try Data(repeating: 0x61, count: 64 << 10).write(to: URL(fileURLWithPath: file))
            let answer = try await curlThrough(
                proxy.url + "/drop-if-reused", secret: secret,
                ["-X", "POST", "-H", "Expect:", "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file]
            )
            #expect(answer.status == 502, "\(answer.body)")
            #expect(answer.body.contains("\"upstream_unreachable\""))
            #expect(upstream.requests("/drop-if-reused").count == 1, "not sent again: \(upstream.events)")
            // The pool is still usable.
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
        }
    }

    @Test("`Connection: close` and HTTP/1.0 answers arrive whole and their connection is not reused")
    func closeAndHTTP10() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            let closing = try await curlThrough(proxy.url + "/close-after", secret: secret)
            #expect(closing.exit == 0 && closing.status == 200 && closing.body == "closed after this")
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            #expect(connections(upstream, "/ok").first != connections(upstream, "/close-after").first)

            // HTTP/1.0 with Content-Length: the upstream keeps the socket open, so a reuse would show.
            let old = try await curlThrough(proxy.url + "/http10-length", secret: secret)
            #expect(old.exit == 0 && old.status == 200 && old.body == "one-oh with length")
            let oldConnection = try #require(connections(upstream, "/http10-length").first)
            #expect(await eventually { upstream.closed(oldConnection) }, "the proxy closed the HTTP/1.0 connection")
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            #expect(connections(upstream, "/ok").last != oldConnection)

            // Close-delimited bodies (no Content-Length, no chunking): HTTP/1.0, and HTTP/1.1 with `Connection: close`.
            for (path, filler) in [("/http10-eof", "x"), ("/http11-eof", "y")] {
                let answer = try await curlThrough(proxy.url + path, secret: secret)
                #expect(answer.exit == 0 && answer.status == 200, "\(path): curl \(answer.exit), \(answer.status)")
                #expect(answer.body == String(repeating: filler, count: 100_000) + "end", "\(path): \(answer.body.count) bytes")
            }
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
        }
    }

    @Test("a 103 Early Hints before the final answer: the final answer arrives and the connection is reused")
    func earlyHints() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            let answer = try await curlThrough(proxy.url + "/early-hints", secret: secret)
            #expect(answer.status == 200 && answer.body == "final answer", "\(answer.status) \(answer.body)")
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            #expect(connections(upstream, "/ok") == connections(upstream, "/early-hints"))
            #expect(upstream.accepted == 1)
        }
    }

    @Test("a HEAD answered with Content-Length and no body: no hang, and the next request on the connection works")
    func headWithContentLength() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            for _ in 0..<2 {
                let head = try await curlThrough(proxy.url + "/head", secret: secret, ["-I"])
                #expect(head.exit == 0 && head.status == 200, "curl \(head.exit): \(head.body)")
                #expect(head.body.lowercased().contains("content-length: 1234"))
                let next = try await curlThrough(proxy.url + "/ok", secret: secret)
                #expect(next.status == 200 && next.body.hasPrefix("ok "), "\(next.body)")
            }
            #expect(upstream.accepted == 1, "HEAD, GET, HEAD, GET on one connection: \(upstream.events)")
        }
    }

    @Test("a body that ends while its reads are held back (many chunks in one read): the connection's next exchange is read")
    func bodyEndsWhileReadsHeld() async throws {
        var options = ProxyOptions()
        options.readTimeout = .seconds(5)
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            for _ in 0..<3 {
                let chunks = try await curlThrough(proxy.url + "/chunks?n=400", secret: secret)
                #expect(chunks.status == 200 && chunks.body == String(repeating: "hello", count: 400), "\(chunks.body.prefix(200))")
                let next = try await curlThrough(proxy.url + "/ok", secret: secret)
                #expect(next.status == 200 && next.body.hasPrefix("ok "), "\(next.body)")
            }
            #expect(upstream.accepted == 1, "all on one connection: \(upstream.events)")
        }
    }

    @Test("max_connections 2 and 6 concurrent slow requests: never more than 2 upstream connections, all 6 served")
    func maxConnections() async throws {
        var options = ProxyOptions()
        options.maxConnections = 2
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            let answers = try await withThrowingTaskGroup(of: CurlOutcome.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await curlThrough(proxy.url + "/slow?ms=300", secret: secret) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 200 && $0.body.hasPrefix("slow ") }, "\(answers.map(\.body))")
            #expect(upstream.requests("/slow").count == 6)
            #expect(upstream.maxOpen <= 2, "at most 2 open at once: \(upstream.events)")
            #expect(upstream.accepted <= 2)
        }
    }

    @Test("an unreachable upstream and more concurrent requests than max_connections: every one gets its 502")
    func unreachableWithWaiters() async throws {
        var options = ProxyOptions()
        options.maxConnections = 1
        // A port that refuses connections and that no server started meanwhile can take.
        let refusing = try RefusingLoopbackPort()
        options.upstreamURL = "http://127.0.0.1:\(refusing.port)"
        try await withProxy(options) { proxy in
            defer { withExtendedLifetime(refusing) {} }
            let secret = try proxy.secret
            let answers = try await withThrowingTaskGroup(of: CurlOutcome.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await curlThrough(proxy.url + "/ok", secret: secret, ["-m", "60"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(
                answers.allSatisfy { $0.status == 502 && $0.body.contains("\"upstream_unreachable\"") },
                "\(answers.map { "curl \($0.exit): \($0.status) \($0.body)" })"
            )
        }
    }

    @Test("read_timeout: silence before the head is a 504; silence mid-body cuts the client's response off")
    func readTimeout() async throws {
        var options = ProxyOptions()
        options.readTimeout = .seconds(1)
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            let head = try await curlThrough(proxy.url + "/silent-head", secret: secret)
            #expect(head.status == 504, "\(head.body)")
            #expect(head.body.contains("\"upstream_timeout\""))
            let silentHead = try #require(connections(upstream, "/silent-head").first)
            #expect(await eventually { upstream.closed(silentHead) }, "the timed-out connection is closed")

            let body = try await curlThrough(proxy.url + "/silent-body", secret: secret)
            #expect(body.exit != 0, "curl saw the response cut off (exit \(body.exit), status \(body.status))")
            // Cut off by the proxy's close, not by curl giving up after its own -m (exit 28, operation timed out).
            #expect(body.exit != 28, "the proxy left the cut-off response's connection open")
            #expect(body.body.count < 100_000)
            let silentBody = try #require(connections(upstream, "/silent-body").first)
            #expect(await eventually { upstream.closed(silentBody) }, "the timed-out connection is closed")
            let next = try await curlThrough(proxy.url + "/ok", secret: secret)
            #expect(next.status == 200)
            #expect(connections(upstream, "/ok").allSatisfy { $0 != silentBody && $0 != silentHead })
        }
    }

    @Test("a connection reused after a quiet spell gets the whole read_timeout for its next answer")
    func readTimeoutCountsFromTheRequest() async throws {
        var options = ProxyOptions()
        options.readTimeout = .seconds(2)
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            #expect(try await curlThrough(proxy.url + "/ok", secret: secret).status == 200)
            // A setup pause (not an assertion): most of read_timeout passes before the next request.
            try await Task.sleep(for: .milliseconds(1500))
            let answer = try await curlThrough(proxy.url + "/slow?ms=1200", secret: secret)
            #expect(answer.status == 200, "the answer came within read_timeout of the request: \(answer.body)")
        }
    }

    @Test("an upstream that resets the connection mid-body: the client's response ends with an error, nothing hangs")
    func resetMidBody() async throws {
        try await withRawUpstreamProxy { proxy, upstream, secret in
            let answer = try await curlThrough(proxy.url + "/reset-body", secret: secret)
            #expect(answer.exit != 0, "curl saw the response cut off (exit \(answer.exit), status \(answer.status))")
            // Cut off by the proxy's close, not by curl giving up after its own -m (exit 28, operation timed out).
            #expect(answer.exit != 28, "the proxy left the cut-off response's connection open")
            #expect(answer.body.count < 100_000)
            let next = try await curlThrough(proxy.url + "/ok", secret: secret)
            #expect(next.status == 200, "\(next.body)")
        }
    }

    @Test("a 20 MiB body read slowly: the upstream's send blocks (back-pressure), then the body arrives whole")
    func backPressure() async throws {
        var options = ProxyOptions()
        // Reads held back for the slow client last longer than this: they must not count as upstream silence.
        options.readTimeout = .seconds(1)
        let size = 20 << 20
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            let script = upstream.directory + "/reader.py"
            try slowReaderScript.write(toFile: script, atomically: true, encoding: .utf8)
            let go = upstream.directory + "/go"
            let secretFile = try #require(proxy.listening.secretFile)
            let port = try #require(URLComponents(string: proxy.url)?.port)
            let reader = Task {
                try await runProgram("/usr/bin/python3", [script, String(port), secretFile, go, String(size)])
            }
            let stalled = await eventually(timeout: .seconds(60)) { upstream.stalledAt != nil }
            #expect(FileManager.default.createFile(atPath: go, contents: nil))
            let (status, output) = try await reader.value
            #expect(stalled, "the upstream's send never blocked: the proxy read the body regardless of its client")
            let sent = upstream.stalledAt ?? size
            #expect(sent < size - (4 << 20), "the upstream had sent \(sent) of \(size) bytes when its send blocked")
            #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines) == "200 \(size) pattern complete", "\(output)")
            #expect(upstream.events.contains("sent \(size)"))
        }
    }

    @Test("stopping the proxy while requests wait for a connection ends them with 503, in-flight ones finish")
    func shutdownEndsWaiters() async throws {
        var options = ProxyOptions()
        options.maxConnections = 2
        let outcomes = Outcomes()
        try await withRawUpstreamProxy(options) { proxy, upstream, secret in
            let port = try #require(URLComponents(string: proxy.url)?.port)
            for _ in 0..<6 {
                Task {
                    let outcome = try await curlThrough(proxy.url + "/slow?ms=2000", secret: secret)
                    outcomes.list.withLock { $0.append(outcome) }
                }
            }
            #expect(await eventually { upstream.requests("/slow").count == 2 }, "two requests reached the upstream")
            #expect(
                await eventually { await establishedConnections(toPort: port) >= 6 },
                "all six clients are connected to the proxy"
            )
            // A setup pause (not an assertion): the four other requests reach the pool and wait there.
            try await Task.sleep(for: .milliseconds(300))
        }
        // withRawUpstreamProxy stopped the proxy (a graceful shutdown) and waited for it.
        #expect(await eventually(timeout: .seconds(60)) { outcomes.list.withLock { $0.count } == 6 }, "every request ended")
        let ended = outcomes.list.withLock { $0 }
        #expect(ended.filter { $0.status == 200 }.count == 2, "\(ended.map { "\($0.status) \($0.body)" })")
        #expect(ended.filter { $0.status == 503 && $0.body.contains("\"proxy_stopping\"") }.count == 4)
    }
}

/// What concurrent clients got, in the order they ended.
private final class Outcomes: Sendable {
    let list = Mutex<[CurlOutcome]>([])
}

/// Established TCP connections to 127.0.0.1:`port` (as `ss` lists them).
private func establishedConnections(toPort port: Int) async -> Int {
    guard let (status, output) = try? await runProgram("/usr/bin/ss", ["-Htn", "state", "established", "( sport = :\(port) )"]),
        status == 0
    else { return 0 }
    return output.split(separator: "\n").count
}
