/// flight-bench: the single-flight run of `Benchmarks/compare` in a plain process, as the Go anchor runs
/// its own (Anchors/go, `flight`): no benchmark harness in the process, wall clock around each run.
///
/// Why beside the package-benchmark benchmarks of the same run: with the `MallocInterposer` trait (the only
/// way this machine's mirror builds ordo-one/benchmark) every allocation in a benchmark executable goes
/// through the interposer, counting or not: a 16-byte header on each block, an indirect call into libc, and
/// a look at the word before each freed block. The Go anchor's process has nothing of the kind, and the
/// single-flight run allocates for each of its 10,000 tasks. This process measures oauthtop as it ships.
///
/// Usage: flight-bench [-callers N] [-latency-ms MS] [-reps N]
///
/// One warm-up of each variant, then N repetitions. Each repetition runs every variant once, in an order
/// that alternates from one repetition to the next, so that each sees the machine as the others do:
///   swift.flight.tasks       oauthtop: N callers (`Task {}`) on a stale token, the endpoint answering in MS
///   swift.flight.immediate   the same, callers started with `Task.immediate`
///   swift.floor.tasks        N tasks awaiting continuations that one task resumes after MS (no manager)
///   swift.floor.immediate    the same with `Task.immediate`
///   swift.spawn.tasks        N tasks that do nothing
///   swift.spawn.immediate    the same with `Task.immediate`
///   swift.flight.requests    token endpoint requests per single-flight run (both kinds of callers)
/// Each line is `name<TAB>median<TAB>unit<TAB>samples`, the Go anchor's format. Everything is on 127.0.0.1.
///
/// The process's malloc is oauthtop's release build's: this package enables oauthtop's `Jemalloc` trait, and
/// this executable links `Allocator`, so jemalloc serves it (README, Building for a server). The first line on
/// standard error names the malloc in use (`malloc: jemalloc 5.3.0-...`), checked by allocating.
import Allocator
import FlightRun
import Foundation
import Synchronization

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("flight-bench: \(message)\n".utf8))
    exit(2)
}

struct Options: Sendable {
    var callers = 10_000
    var latencyMilliseconds = 5
    var repetitions = 15

    init(_ arguments: [String]) {
        var arguments = arguments[...]
        while let flag = arguments.popFirst() {
            guard let text = arguments.popFirst(), let value = Int(text), value > 0 else {
                fail("\(flag) needs a positive number (usage: flight-bench [-callers N] [-latency-ms MS] [-reps N])")
            }
            switch flag {
            case "-callers": self.callers = value
            case "-latency-ms": self.latencyMilliseconds = value
            case "-reps": self.repetitions = value
            default: fail("unknown flag \(flag) (usage: flight-bench [-callers N] [-latency-ms MS] [-reps N])")
            }
        }
    }
}

struct Variant: Sendable {
    let name: String
    let run: @Sendable () async -> Void
}

func report(_ name: String, _ unit: String, _ samples: [Double]) {
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    let median = sorted.count % 2 == 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    let text = samples.map { String(format: "%.2f", $0) }.joined(separator: " ")
    print("\(name)\t\(String(format: "%.2f", median))\t\(unit)\t\(text)")
}

func measure(_ options: Options) async throws {
    FileHandle.standardError.write(Data("malloc: \(Allocator.current)\n".utf8))
    let (callers, repetitions) = (options.callers, options.repetitions)
    let latency = Duration.milliseconds(options.latencyMilliseconds)
    let fixture = try await FlightFixture(latency: latency)
    let counts = RequestCounts()
    func flight(immediate: Bool) -> @Sendable () async -> Void {
        {
            guard await fixture.makeStale() else { fail("the manager has no token to make stale") }
            let before = fixture.requests()
            await fixture.callers(count: callers, immediate: immediate)
            counts.append(fixture.requests() - before)
        }
    }
    let variants = [
        Variant(name: "swift.flight.tasks", run: flight(immediate: false)),
        Variant(name: "swift.flight.immediate", run: flight(immediate: true)),
        Variant(name: "swift.floor.tasks") { await Floors.continuations(count: callers, immediate: false, latency: latency) },
        Variant(name: "swift.floor.immediate") { await Floors.continuations(count: callers, immediate: true, latency: latency) },
        Variant(name: "swift.spawn.tasks") { await Floors.spawn(count: callers, immediate: false) },
        Variant(name: "swift.spawn.immediate") { await Floors.spawn(count: callers, immediate: true) },
    ]
    // Warm-up: the connection, the pool's threads, the allocator's caches.
    for variant in variants { await variant.run() }
    counts.removeAll()
    var samples = [[Double]](repeating: [], count: variants.count)
    let clock = ContinuousClock()
    for repetition in 0..<repetitions {
        let order = repetition % 2 == 0 ? Array(variants.indices) : variants.indices.reversed()
        for index in order {
            let start = clock.now
            await variants[index].run()
            let elapsed = clock.now - start
            samples[index].append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
        }
    }
    for (index, variant) in variants.enumerated() { report(variant.name, "ms", samples[index]) }
    let requests = counts.values()
    report("swift.flight.requests", "count", requests.map(Double.init))
    if requests.contains(where: { $0 != 1 }) { fail("a single-flight run made \(requests) token endpoint requests") }
}

/// Token endpoint requests of each single-flight run.
final class RequestCounts: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ count: Int) { self.list.withLock { $0.append(count) } }
    func removeAll() { self.list.withLock { $0.removeAll() } }
    func values() -> [Int] { self.list.withLock { $0 } }
}

do {
    try await measure(Options(Array(CommandLine.arguments.dropFirst())))
} catch {
    fail("\(error)")
}
