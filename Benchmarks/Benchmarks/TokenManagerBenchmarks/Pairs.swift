import Benchmark
import Dispatch
import Foundation
import Synchronization
import TokenManager

/// The hot path's 2-thread over 1-thread ratio, taken in pairs.
///
/// This machine's per-call speed moves between two levels (about 24 and 39 ns for `token(for:)`, with the
/// 1-thread run alone) from one second to the next, with no change to the code: a 2-thread figure and a
/// 1-thread figure measured in separate benchmarks, seconds apart, often come from different levels, so their
/// ratio measured the machine as much as the code. Here each iteration runs the 1-thread and the 2-thread loop
/// back to back (alternating which goes first) and records their ratio, so both figures of a pair see the
/// machine at the same level; the benchmark's percentiles are over the pairs. `Anchors/c/floor.c pairs`
/// measures the same ratio for a C loop that shares nothing (a mutex per thread): this machine's own scaling.
enum Pairs {
    /// 100 x the 2-thread time per call per thread over the 1-thread time per call, for one pair.
    static let metric = BenchmarkMetric.custom("2 threads over 1 thread (%)", polarity: .prefersSmaller, useScalingFactor: false)

    /// Calls per thread in each half of a pair: about 10 ms each.
    static let calls = 400_000

    /// Pairs run so far, to alternate which half goes first.
    nonisolated(unsafe) static var count = 0

    /// Runs `one` and `two` back to back, in the order of this pair, and records 100 x two / one.
    static func record(_ benchmark: Benchmark, one: () async -> Double, two: () async -> Double) async {
        Self.count += 1
        let oneTime: Double, twoTime: Double
        if Self.count % 2 == 0 {
            oneTime = await one()
            twoTime = await two()
        } else {
            twoTime = await two()
            oneTime = await one()
        }
        benchmark.measurement(Self.metric, Int((twoTime / oneTime * 100).rounded()))
    }
}

/// Where the threads of one half of a pair wait for each other, so that their loops overlap.
final class StartLine: Sendable {
    private let arrived = Atomic<Int>(0)
    private let count: Int

    init(count: Int) { self.count = count }

    func wait() {
        self.arrived.add(1, ordering: .acquiringAndReleasing)
        while self.arrived.load(ordering: .acquiring) < self.count {}
    }
}

/// Nanoseconds since an arbitrary point (CLOCK_MONOTONIC).
func monotonicNanos() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

extension Fixture {
    /// One half of a pair: ``Pairs/calls`` calls on each of `threads` threads, `cachedToken(for:)` on plain threads
    /// when `synchronous`, else `token(for:)`; the longest thread's time per call, in nanoseconds.
    func hotPath(threads: Int, synchronous: Bool) async -> Double {
        synchronous
            ? self.syncHotPath(threads: threads, calls: Pairs.calls)
            : await self.asyncHotPath(threads: threads, calls: Pairs.calls)
    }

    /// `token(for:)` `calls` times on each of `threads` caller threads at once (task executor preferences); the
    /// longest thread's time per call, in nanoseconds.
    func asyncHotPath(threads: Int, calls: Int) async -> Double {
        let line = StartLine(count: threads)
        let (manager, provider) = (self.manager, self.provider)
        return await withTaskGroup(of: UInt64.self) { group in
            for executor in Fixture.callerExecutors.prefix(threads) {
                group.addTask(executorPreference: executor) {
                    line.wait()
                    let start = monotonicNanos()
                    for _ in 0..<calls { blackHole(try? await manager.token(for: provider)) }
                    return monotonicNanos() - start
                }
            }
            var longest: UInt64 = 0
            for await elapsed in group { longest = max(longest, elapsed) }
            return Double(longest) / Double(calls)
        }
    }

    /// `cachedToken(for:)` `calls` times on each of `threads` plain threads at once; the longest thread's time
    /// per call, in nanoseconds.
    func syncHotPath(threads: Int, calls: Int) -> Double {
        let line = StartLine(count: threads)
        let times = Mutex<[UInt64]>([])
        let done = DispatchGroup()
        let (manager, provider) = (self.manager, self.provider)
        for _ in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                line.wait()
                let start = monotonicNanos()
                for _ in 0..<calls { blackHole(manager.cachedToken(for: provider)) }
                let elapsed = monotonicNanos() - start
                times.withLock { $0.append(elapsed) }
                done.leave()
            }
        }
        done.wait()
        return Double(times.withLock { $0.max() ?? 0 }) / Double(calls)
    }
}
