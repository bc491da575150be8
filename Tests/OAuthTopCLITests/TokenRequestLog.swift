import DemoIdentityProvider
import Foundation
import OAuthTopTestKit
import Synchronization

/// When the demo identity provider's token requests arrived, sampled from its statistics every 5 ms for the
/// length of a body: two requests within one sample show as two arrivals at the same moment, so "one refresh per
/// cycle" is checked on the gaps between arrivals.
final class TokenRequestLog: Sendable {
    private struct State {
        var arrivals: [Int64] = []
        var seen = 0
    }

    private let provider: DemoIdentityProvider
    private let state = Mutex(State())

    private init(_ provider: DemoIdentityProvider) {
        self.provider = provider
    }

    /// Samples `provider` while `body` runs.
    static func recording<T: Sendable>(
        _ provider: DemoIdentityProvider,
        _ body: (TokenRequestLog) async throws -> T
    ) async throws -> T {
        let log = TokenRequestLog(provider)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    log.sample()
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            defer { group.cancelAll() }
            return try await body(log)
        }
    }

    private func sample() {
        let requests = self.provider.statistics().total.requests
        let now = TokenSocketWatch.now()
        self.state.withLock { state in
            while state.seen < requests {
                state.arrivals.append(now)
                state.seen += 1
            }
        }
    }

    /// Arrival times so far, Unix nanoseconds, in order.
    var arrivals: [Int64] {
        self.sample()
        return self.state.withLock { $0.arrivals }
    }

    var count: Int { self.arrivals.count }

    /// The gaps between consecutive arrivals, in seconds.
    var gaps: [Double] {
        let arrivals = self.arrivals
        return zip(arrivals.dropFirst(), arrivals).map { Double($0 - $1) / 1e9 }
    }

    /// Waits until at least `count` requests have arrived.
    func waitFor(_ count: Int, timeout: Duration) async throws {
        let reached = await eventually(timeout: timeout, every: .milliseconds(20)) { self.count >= count }
        guard reached else {
            throw CLITestFailure("the identity provider saw \(self.count) of \(count) token requests within \(timeout)")
        }
    }

    /// Waits until `quiet` has passed since the last arrival (the fleet has taken the last refresh's token) and
    /// returns the number of requests then.
    func settle(quiet: Duration, timeout: Duration = .seconds(30)) async throws -> Int {
        let quietNanos = Int64(quiet.components.seconds) * 1_000_000_000 + quiet.components.attoseconds / 1_000_000_000
        let settled = await eventually(timeout: timeout, every: .milliseconds(20)) {
            guard let last = self.arrivals.last else { return false }
            return TokenSocketWatch.now() - last >= quietNanos
        }
        guard settled else { throw CLITestFailure("the identity provider was never quiet for \(quiet)") }
        return self.count
    }
}
