import Benchmark
import Dispatch
import FlightRun
import Foundation
import DemoIdentityProvider
import Logging
import Synchronization
import TokenManager

#if canImport(Glibc)
import Glibc
#endif

/// A manager holding a token from the demo identity provider (the hot path). The single-flight run's fixture is
/// FlightRun's ``FlightFixture``.
final class Fixture: Sendable {
    let manager: OAuthTokenManager
    let provider: ProviderID
    private let server: Task<Void, any Error>?
    private let countRequests: @Sendable () -> Int

    /// With the demo identity provider answering after `latency`.
    convenience init(latency: Duration) async throws {
        var configuration = DemoIdentityProviderConfiguration()
        configuration.endpoints = [DemoEndpointSpec(name: "primary")]
        configuration.clients = [DemoClient(id: "bench", secret: "bench-secret-0123456789abcdef0123")]
        configuration.tokenLifetime = .seconds(3600)
        configuration.baseLatency = latency
        let identityProvider = DemoIdentityProvider(
            configuration: configuration, schedule: .none, logger: Logger(label: "bench.idp", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        // The identity provider stands for a remote server, whose answer is not slowed by this process's
        // callers: it runs on a thread of its own, not behind the callers on the global pool.
        let server = Task(executorPreference: Fixture.identityProviderExecutor) {
            try await identityProvider.run()
        }
        let endpoints = try await identityProvider.waitUntilListening()
        try await self.init(
            urls: endpoints.map(\.url), server: server, countRequests: { identityProvider.statistics().total.requests }
        )
    }

    private init(urls: [String], server: Task<Void, any Error>?, countRequests: @escaping @Sendable () -> Int) async throws {
        self.server = server
        self.countRequests = countRequests
        self.manager = OAuthTokenManager(
            providers: [
                ProviderConfiguration(
                    name: "bench", grant: .clientCredentials, tokenEndpoints: urls,
                    clientID: "bench", clientSecret: Secret("bench-secret-0123456789abcdef0123")
                )
            ],
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        guard let provider = self.manager.provider(named: "bench") else { throw CancellationError() }
        self.provider = provider
        _ = try await self.manager.token(for: provider)
    }

    static let identityProviderExecutor = ThreadExecutor(name: "bench-idp")
    /// The two callers' threads of the 2-thread hot path.
    static let callerExecutors = [ThreadExecutor(name: "bench-caller-1"), ThreadExecutor(name: "bench-caller-2")]

    /// Requests the token endpoint has answered so far.
    func requests() -> Int { self.countRequests() }

    deinit { self.server?.cancel() }
}

nonisolated(unsafe) var hotFixture: Fixture?
nonisolated(unsafe) var flightFixture: FlightFixture?

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .cpuTotal],
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    // The reference: what a mutex and a clock read cost on this machine.
    let reference = Mutex(0)
    Benchmark("baseline: mutex + clock_gettime", configuration: .init(scalingFactor: .mega)) { benchmark in
        for _ in benchmark.scaledIterations {
            let now = WallClock.realtimeNanos()
            blackHole(reference.withLock { $0 &+ Int(truncatingIfNeeded: now) })
        }
    }

    Benchmark(
        "token(for:) cached, 1 thread",
        configuration: .init(scalingFactor: .mega, setup: { hotFixture = try await Fixture(latency: .zero) })
    ) { benchmark async in
        guard let fixture = hotFixture else { return }
        let iterations = benchmark.scaledIterations
        // On a caller thread, as each of the 2-thread run's callers is.
        await Task(executorPreference: Fixture.callerExecutors[0]) {
            for _ in iterations {
                blackHole(try? await fixture.manager.token(for: fixture.provider))
            }
        }.value
    }

    // The same hot path, synchronous, on plain threads: the concurrency pool of the benchmark
    // runner does not always give two tasks two threads, these do.
    Benchmark(
        "cachedToken(for:), 1 thread",
        configuration: .init(scalingFactor: .mega, setup: { hotFixture = try await Fixture(latency: .zero) })
    ) { benchmark in
        guard let fixture = hotFixture else { return }
        for _ in benchmark.scaledIterations {
            blackHole(fixture.manager.cachedToken(for: fixture.provider))
        }
    }

    Benchmark(
        "cachedToken(for:), 2 threads (each does the full count)",
        configuration: .init(scalingFactor: .mega, setup: { hotFixture = try await Fixture(latency: .zero) })
    ) { benchmark in
        guard let fixture = hotFixture else { return }
        let count = benchmark.scaledIterations.count
        let done = DispatchGroup()
        for _ in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                // Each caller holds its own reference to the manager, as a real caller does (reading it from the
                // shared fixture on every call would count the fixture's reference count bouncing between cores).
                let (manager, provider) = (fixture.manager, fixture.provider)
                for _ in 0..<count { blackHole(manager.cachedToken(for: provider)) }
                done.leave()
            }
        }
        done.wait()
    }

    // Each caller on a thread of its own (a task executor preference): the benchmark runner's cooperative pool
    // gave the two tasks one thread between them (each call then took exactly twice as long), so the figure
    // measured the pool, not the token manager on two threads; goroutines run on two threads (GOMAXPROCS 2).
    Benchmark(
        "token(for:) cached, 2 threads (each does the full count)",
        configuration: .init(scalingFactor: .mega, setup: { hotFixture = try await Fixture(latency: .zero) })
    ) { benchmark async in
        guard let fixture = hotFixture else { return }
        let iterations = benchmark.scaledIterations
        await withTaskGroup(of: Void.self) { group in
            for executor in Fixture.callerExecutors {
                group.addTask(executorPreference: executor) {
                    let (manager, provider) = (fixture.manager, fixture.provider)
                    for _ in iterations {
                        blackHole(try? await manager.token(for: provider))
                    }
                }
            }
        }
    }

    // The same two figures in pairs, a 1-thread and a 2-thread run back to back in each iteration (Pairs.swift
    // says why): the percentiles are over the pairs' 2-thread over 1-thread ratios.
    for synchronous in [false, true] {
        Benchmark(
            synchronous
                ? "cachedToken(for:), 2 threads over 1 thread, in pairs"
                : "token(for:) cached, 2 threads over 1 thread, in pairs",
            configuration: .init(
                metrics: [Pairs.metric], warmupIterations: 2, maxDuration: .seconds(8), maxIterations: 41,
                setup: { hotFixture = try await Fixture(latency: .zero) }
            )
        ) { benchmark async in
            guard let fixture = hotFixture else { return }
            await Pairs.record(
                benchmark,
                one: { await fixture.hotPath(threads: 1, synchronous: synchronous) },
                two: { await fixture.hotPath(threads: 2, synchronous: synchronous) }
            )
        }
    }

    // The single-flight runs and their floors start each caller as a task of its own and wait for all of them
    // (`runCallers`, as the Go anchor's goroutines behind a sync.WaitGroup), and their token endpoint is the Go
    // anchor's (`ConstantTokenEndpoint`); all three live in FlightRun (Tools/FlightRun), shared with the plain
    // `flight-bench` executable. FlightRun's Callers.swift says why not a task group.

    // The floor of the single-flight run: starting 10,000 tasks and waiting for them.
    Benchmark("baseline: 10,000 tasks doing nothing", configuration: .init(maxIterations: 50)) { _ in
        await Floors.spawn(count: 10_000, immediate: false)
    }

    // The same floor with callers started by `Task.immediate` (SE-0472): each runs on the spawning thread until
    // its first suspension instead of being queued to the global executor first, as a goroutine calling
    // `Token()` runs at once.
    Benchmark("baseline: 10,000 immediate tasks doing nothing", configuration: .init(maxIterations: 50)) { _ in
        await Floors.spawn(count: 10_000, immediate: true)
    }

    // Why the manager keeps continuations (RefreshFlight): the same wait on one shared Task's value.
    Benchmark("reference: 10,000 tasks awaiting one shared Task that sleeps 5 ms", configuration: .init(maxIterations: 50)) { _ in
        let shared = Task { try? await Task.sleep(for: .milliseconds(5)); return 1 }
        await runCallers(count: 10_000, immediate: false) { blackHole(await shared.value) }
    }

    Benchmark("reference: 10,000 tasks awaiting continuations resumed after 5 ms", configuration: .init(maxIterations: 50)) { _ in
        await Floors.continuations(count: 10_000, immediate: false, latency: .milliseconds(5))
    }

    // The continuation floor with callers started by `Task.immediate`: the floor of the immediate single-flight row.
    Benchmark("reference: 10,000 immediate tasks awaiting continuations resumed after 5 ms", configuration: .init(maxIterations: 50)) { _ in
        await Floors.continuations(count: 10_000, immediate: true, latency: .milliseconds(5))
    }

    for immediate in [false, true] {
        Benchmark(
            immediate
                ? "single-flight, immediate tasks: 10,000 callers on a stale token, IdP answers in 5 ms"
                : "single-flight: 10,000 callers on a stale token, IdP answers in 5 ms",
            configuration: .init(
                metrics: [.wallClock, .mallocCountTotal, .custom("idp_requests", useScalingFactor: false)],
                maxDuration: .seconds(10),
                maxIterations: 50,
                setup: { flightFixture = try await FlightFixture(latency: .milliseconds(5)) }
            )
        ) { benchmark async in
            guard let fixture = flightFixture, await fixture.makeStale() else { return }
            let before = fixture.requests()
            benchmark.startMeasurement()
            await fixture.callers(count: 10_000, immediate: immediate)
            benchmark.stopMeasurement()
            benchmark.measurement(.custom("idp_requests", useScalingFactor: false), fixture.requests() - before)
        }
    }
}
