import Foundation
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

@Suite("API proxy: streamed responses")
struct ProxyStreamingTests {
    /// Streams `URL` with httpx and prints one line per chunk: seconds since the request, then the chunk. The
    /// local secret is read from its file (never passed in argv).
    static let script = """
        import sys, time, httpx
        url = sys.argv[1]
        with open(sys.argv[2]) as file:
            secret = file.read().strip()
        start = time.monotonic()
        with httpx.Client(timeout=60) as client:
            with client.stream("GET", url, headers={"Authorization": "Bearer " + secret}) as response:
                print("status", response.status_code, response.headers.get("content-type"), flush=True)
                for chunk in response.iter_raw():
                    print("%.3f %s" % (time.monotonic() - start, chunk.decode().strip()), flush=True)
        print("end %.3f" % (time.monotonic() - start), flush=True)
        """

    @Test("Python httpx reads a server-sent-events stream chunk by chunk, each as the upstream produces it")
    func serverSentEventsWithHTTPX() async throws {
        let python = try #require(await pythonWithHTTPX(), "no python3 with httpx (Debian python3-httpx)")
        try await withProxy { proxy in
            let file = proxy.directory + "/stream.py"
            try Self.script.write(toFile: file, atomically: true, encoding: .utf8)
            let (status, output) = try await runProgram(
                python, [file, proxy.url + "/v1/sse?chunks=5&pause_ms=400", try #require(proxy.listening.secretFile)]
            )
            #expect(status == 0, "\(output)")
            let lines = output.split(separator: "\n")
            #expect(lines.first == "status 200 text/event-stream")
            let chunks = lines.filter { $0.contains("data:") }
            let times = chunks.compactMap { Double($0.split(separator: " ").first ?? "") }
            #expect(chunks.count == 5, "one read per event: \(chunks)")
            #expect(times.count == 5)
            // Chunks arrive spread over the stream's life (the upstream pauses 400 ms between them, 1.6 s in all),
            // not all at its end: the first came at least half of that before the last (a buffered stream would
            // deliver them within milliseconds of each other).
            if let first = times.first, let last = times.last {
                #expect(last - first >= 0.8, "chunk times \(times)")
            }
            for (index, line) in chunks.enumerated() { #expect(line.contains("{\"chunk\": \(index)}")) }
        }
    }

    @Test("curl over the Unix socket streams too")
    func curlStreamsOverUnixSocket() async throws {
        var options = ProxyOptions()
        options.unix = true
        try await withProxy(options) { proxy in
            let path = try #require(proxy.listening.socketPath)
            let answer = try await curl("http://localhost/v1/sse?chunks=3&pause_ms=50", unixSocket: path, ["-N"])
            #expect(answer.status == 200)
            #expect(answer.body.components(separatedBy: "data:").count == 4)
        }
    }
}
