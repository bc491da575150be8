import Logging
import Primitives
import ServiceLifecycle
import TokenManager

/// The daemon's sinks (`sinks:` of each provider in oauthtop.yaml) as one service: each file is
/// written as soon as its provider has a token (restored at start or refreshed) and rewritten after
/// every refresh, by a ``TokenFileKeeper``. Each sink is a ``Consumer`` (kind `sink`, id = its path)
/// whose last write is recorded, and every write is counted in
/// `oauth_token_requests_total{provider, consumer="sink", outcome}`. Files are left in place at
/// shutdown (their readers may outlive the daemon; the token inside expires on its own).
public struct TokenSinkService: Service {
    public let sinks: [TokenSink]
    public let source: any TokenSource
    public let consumers: ConsumerRegistry
    public let requests: TokenRequestCounter
    public let clock: WallClock
    public let logger: Logger

    public init(
        sinks: [TokenSink],
        source: any TokenSource,
        consumers: ConsumerRegistry,
        requests: TokenRequestCounter,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.sinks = sinks
        self.source = source
        self.consumers = consumers
        self.requests = requests
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let now = self.clock.now()
        let keepers = self.sinks.map { sink in
            self.consumers.register(
                Consumer(id: sink.file.path, kind: .sink, provider: sink.provider, name: sink.file.path, since: now)
            )
            self.requests.prepare(provider: sink.provider, consumer: .sink)
            return TokenFileKeeper(
                source: self.source, provider: sink.provider, file: sink.file, clock: self.clock,
                report: { [consumers, requests, logger] write in
                    consumers.record(write, id: sink.file.path)
                    requests.increment(provider: write.provider, consumer: .sink, outcome: write.outcome.rawValue)
                    write.log(to: logger, kind: "sink")
                }
            )
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for keeper in keepers {
                    group.addTask {
                        await keeper.update(waiting: false)
                        await keeper.run()
                    }
                }
            }
        }
        for keeper in keepers { keeper.stop() }
    }
}
