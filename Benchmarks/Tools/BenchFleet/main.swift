/// bench-fleet: the fleet protocol's Redis round trips, for Benchmarks/redis-compare, which runs
/// `redis-benchmark` on the same server in the same run as the anchor.
///
/// Usage:
///   bench-fleet lock PORT N     N lock grants and releases (RedisCoordinationStore, one EVALSHA each), and N
///                               raw `SET key value NX PX` + `DEL` on the same client; one line each of
///                               `name<TAB>median_us<TAB>p99_us`
///   bench-fleet read PORT N     N reads of a sealed state and its opening (GET + AES-GCM), and N raw GETs
///   bench-fleet write PORT N    N fleet writes, 20 ms apart: lock, compare-and-set (the token's issued_at is
///                               the write's start), publish, release
///   bench-fleet follow PORT N   follows a writer in another process: on each notification, reads and opens the
///                               state; prints the median and p99 from the write's start to the token in hand
///                               (both processes read the same wall clock)
/// With BENCH_FLEET_PINNED=1 the measuring task runs on the client's event loop (`client.taskExecutor`), as
/// FleetCoordinator runs a round's store calls: no command hops between threads; names get `pinned_`. Without
/// it, from a task on Swift's global pool: a hop to the event loop and one back per command.
/// Everything is on 127.0.0.1; the tokens are made up, the key is random per run (passed from the writer to
/// the follower in a 0600 file beside the script's logs: BENCH_FLEET_KEY_FILE).
import Coordination
import Foundation
import Logging
import RedisClient
import TokenManager

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-fleet: \(message)\n".utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[2]), let count = Int(arguments[3]), count > 0 else {
    fail("usage: bench-fleet lock|read|write|follow PORT N")
}
let mode = arguments[1]
let logger = Logger(label: "bench-fleet") { _ in SwiftLogNoOpLogHandler() }
var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
configuration.poolSize = 1
let pinned = ProcessInfo.processInfo.environment["BENCH_FLEET_PINNED"] == "1"
let client: RedisClient
do {
    client = try RedisClient(configuration: configuration, logger: logger)
} catch {
    fail("\(error)")
}
let store = RedisCoordinationStore(client: client)
let keys = CoordinationKeys(prefix: "bench:", provider: "fleet")

func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func wallNanos() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func report(_ name: String, _ samples: [UInt64]) {
    let sorted = samples.sorted()
    let median = Double(sorted[sorted.count / 2]) / 1000
    let p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
    print("\(pinned ? "pinned_" : "")\(name)\t\(String(format: "%.1f", median))\t\(String(format: "%.1f", p99))")
}

func key() -> [UInt8] {
    guard let path = ProcessInfo.processInfo.environment["BENCH_FLEET_KEY_FILE"] else {
        fail("BENCH_FLEET_KEY_FILE is not set")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
    guard hex.count == 64 else { fail("the key file must hold 64 hex digits") }
    return stride(from: 0, to: 64, by: 2).map { UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16) ?? 0 }
}

func token(generation: UInt64) -> FleetToken {
    let now = wallNanos()
    return FleetToken(
        accessToken: Secret(String(repeating: "a", count: 800)), tokenType: "Bearer", expiresAt: now + 3_600_000_000_000,
        issuedAt: now, refreshToken: Secret(String(repeating: "r", count: 64)), generation: generation, refreshedBy: "bench"
    )
}

func measure() async throws {
    switch mode {
    case "lock":
        let owner = LockOwner(instanceID: "bench", host: "localhost", since: wallNanos())
        var grants: [UInt64] = []
        var raw: [UInt64] = []
        for index in 0..<(count + count / 10) {
            let start = nanos()
            guard try await store.acquire(keys, owner: owner, lease: .seconds(10)) != nil else { fail("lock held") }
            let granted = nanos()
            _ = try await store.release(keys, owner: owner)
            let rawStart = nanos()
            _ = try await client.set("bench:raw", to: "bench 1", options: .ifAbsent(expiringAfter: .seconds(10)))
            let rawEnd = nanos()
            _ = try await client.del(["bench:raw"])
            if index >= count / 10 {  // the first tenth warms up
                grants.append(granted - start)
                raw.append(rawEnd - rawStart)
            }
        }
        report("lock_acquire", grants)
        report("client_set_nx", raw)
    case "read":
        let sealer = try StateSealer(key: key())
        let owner = LockOwner(instanceID: "bench", host: "localhost", since: wallNanos())
        guard let fence = try await store.acquire(keys, owner: owner, lease: .seconds(10)) else { fail("lock held") }
        let expected = try await store.read(keys)?.generation ?? 0
        let sealed = try sealer.seal(token(generation: expected + 1), provider: keys.provider)
        guard try await store.compareAndSet(keys, expectedGeneration: expected, fence: fence, state: sealed) else {
            fail("write refused")
        }
        _ = try await store.release(keys, owner: owner)
        var reads: [UInt64] = []
        var raw: [UInt64] = []
        for index in 0..<(count + count / 10) {
            let start = nanos()
            guard let state = try await store.read(keys) else { fail("no state") }
            _ = try sealer.open(state, provider: keys.provider)
            let opened = nanos()
            _ = try await client.get("bench:raw-get")
            let rawEnd = nanos()
            if index >= count / 10 {
                reads.append(opened - start)
                raw.append(rawEnd - opened)
            }
        }
        report("state_read_open", reads)
        report("client_get", raw)
    case "write":
        let sealer = try StateSealer(key: key())
        for _ in 0..<count {
            let owner = LockOwner(instanceID: "writer", host: "localhost", since: wallNanos())
            let started = wallNanos()
            guard let fence = try await store.acquire(keys, owner: owner, lease: .seconds(10)) else { fail("lock held") }
            let expected = try await store.read(keys)?.generation ?? 0
            var next = token(generation: expected + 1)
            next.issuedAt = started
            let sealed = try sealer.seal(next, provider: keys.provider)
            guard try await store.compareAndSet(keys, expectedGeneration: expected, fence: fence, state: sealed) else {
                fail("write refused")
            }
            try await store.publish(keys, generation: next.generation)
            _ = try await store.release(keys, owner: owner)
            try await Task.sleep(for: .milliseconds(20))
        }
    case "follow":
        let sealer = try StateSealer(key: key())
        // Unbuffered, so the script sees it while the follower waits.
        FileHandle.standardOutput.write(Data("following\n".utf8))
        var latencies: [UInt64] = []
        for await generation in store.notifications(keys) {
            guard let state = try await store.read(keys) else { continue }
            let fleetToken = try sealer.open(state, provider: keys.provider)
            let now = wallNanos()
            if fleetToken.generation >= generation { latencies.append(UInt64(max(0, now - fleetToken.issuedAt))) }
            if latencies.count >= count { break }
        }
        report("fleet_write_to_adopted", latencies)
    default:
        fail("unknown mode '\(mode)'")
    }
}
do {
    if pinned {
        try await withTaskExecutorPreference(client.taskExecutor) { try await measure() }
    } else {
        try await measure()
    }
} catch {
    fail("\(error)")
}
await client.shutdown()
