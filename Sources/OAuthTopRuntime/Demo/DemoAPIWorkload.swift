import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Primitives
import ServiceLifecycle

/// Simulated API calls through the demo's API proxy, as an application does with its API client's base URL
/// pointed at the proxy: it sends the proxy's local bearer secret (read from the proxy's 0600 secret file),
/// never a token, and the proxy attaches the provider's token.
///
/// Each task reads an item (`GET /items/{id}`, a handful of ids, so the proxy's cache has something to
/// serve near the quota), every fourth call asks for a completion (`POST /complete`), and now and then the
/// second task reads a short event stream. The first task marks its completions critical
/// (`OAuthtop-Priority: critical`), so the dashboard shows them pass while the proxy sheds the others. Answers
/// are read and dropped: what happens shows in the proxy's metrics and events.
public struct DemoAPIWorkload: Service {
    private let proxy: @Sendable () async -> APIProxyService.Listening?
    private let tasks: Int
    private let interval: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - proxy: Waits until the proxy listens, and says where (its URL, `http://127.0.0.1:PORT`, and its
    ///     secret file); `nil` when it never will.
    ///   - tasks: How many concurrent tasks.
    ///   - interval: The pause between one task's calls.
    public init(
        proxy: @escaping @Sendable () async -> APIProxyService.Listening?, tasks: Int = 3,
        interval: Duration = .seconds(1), logger: Logger
    ) {
        self.proxy = proxy
        self.tasks = tasks
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await cancelWhenGracefulShutdown {
            guard let proxy = await self.proxy(), let file = proxy.secretFile,
                let secret = await self.readSecret(file)
            else { return }
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<self.tasks {
                    group.addTask {
                        // Stagger the tasks so their calls do not all line up.
                        try? await Task.sleep(for: self.interval * Double(task) / Double(self.tasks))
                        var call = 0
                        while !Task.isCancelled {
                            await self.call(
                                task: task, number: call, baseURL: proxy.url, secret: secret, client: client
                            )
                            call += 1
                            try? await Task.sleep(for: self.interval)
                        }
                    }
                }
            }
        }
        try? await client.shutdown()
    }

    /// The secret in the proxy's file (written before it listens).
    private func readSecret(_ file: String) async -> Secret? {
        while !Task.isCancelled {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { return Secret(value) }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    private func call(task: Int, number: Int, baseURL: String, secret: Secret, client: HTTPClient) async {
        var request: HTTPClientRequest
        if task == 1 && number % 15 == 14 {
            request = HTTPClientRequest(url: baseURL + "/stream?events=3&interval_ms=200")
        } else if number % 4 == 3 {
            request = HTTPClientRequest(url: baseURL + "/complete")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if task == 0 { request.headers.add(name: "OAuthtop-Priority", value: "critical") }
            request.body = .bytes(ByteBuffer(string: #"{"model":"demo-large","prompt":"Summarise the report."}"#))
        } else {
            request = HTTPClientRequest(url: baseURL + "/items/\((number * 7 + task) % 5)")
        }
        request.headers.add(name: "Authorization", value: "Bearer " + secret.revealed)
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            self.logger.debug("demo API call failed", metadata: ["error": "\(type(of: error))"])
        }
    }
}
