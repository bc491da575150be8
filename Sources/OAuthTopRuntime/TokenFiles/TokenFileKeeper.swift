import Primitives
import Synchronization
import TokenManager

/// Keeps one token file holding a valid token of one provider, from a ``TokenSource``: `oauthtop
/// exec`'s file and each of the daemon's sinks.
///
/// It rewrites the file (atomically, with its mode, owner and group) whenever the source says a new
/// token may be there, and on its own schedule: halfway to the written token's expiry, at least every
/// second and at most every five minutes, it asks the source for a valid token, waiting for a refresh
/// when the current one is about to expire. A source that cannot notify (the daemon's socket) is thus
/// asked often enough that the file never holds an expired token while refreshes succeed. A failure
/// keeps the previous file and is retried with backoff (1 s doubling to 30 s).
///
/// Every attempt is reported as a ``TokenFileWrite`` (the token as a fingerprint only). After
/// ``stop()`` returns, the file is never written again, so the caller may remove it.
public final class TokenFileKeeper: Sendable {
    public let source: any TokenSource
    public let provider: String
    public let file: TokenFile
    private let clock: WallClock
    private let report: @Sendable (TokenFileWrite) -> Void
    private let wake = WakeSignal()

    private struct State {
        var written: AccessToken?
        var stopped = false
        var failures = 0
        var subscribed = false
    }

    private let state = Mutex(State())

    static let minimumCheck: Int64 = 1_000_000_000
    static let maximumCheck: Int64 = 300_000_000_000
    static let maximumBackoff: Int64 = 30_000_000_000

    /// Creates a keeper; nothing is written until ``update(waiting:)`` or ``run()``.
    ///
    /// - Parameters:
    ///   - source: Where tokens come from.
    ///   - provider: Whose token the file holds.
    ///   - file: The file, its mode, owner, group and format.
    ///   - clock: Wall time and sleeping.
    ///   - report: Told of every attempt (successful or not); must not block.
    public init(
        source: any TokenSource,
        provider: String,
        file: TokenFile,
        clock: WallClock = .system,
        report: @escaping @Sendable (TokenFileWrite) -> Void = { _ in }
    ) {
        self.source = source
        self.provider = provider
        self.file = file
        self.clock = clock
        self.report = report
    }

    /// The token the file holds now, if any was written.
    public var writtenToken: AccessToken? { self.state.withLock { $0.written } }

    /// Asks the source for a token and writes it if it differs from the file's.
    ///
    /// - Parameter waiting: Whether to wait for a refresh (``TokenSource/token(for:)``) or take only a
    ///   token that is ready (``TokenSource/currentToken(for:)``).
    /// - Returns: The attempt, or `nil` when nothing was to be done (no token ready, the same token, stopped).
    @discardableResult
    public func update(waiting: Bool) async -> TokenFileWrite? {
        self.subscribeOnce()
        let token: AccessToken?
        do {
            if waiting {
                token = try await self.source.token(for: self.provider)
            } else {
                token = try await self.source.currentToken(for: self.provider)
            }
        } catch {
            let write = TokenFileWrite(
                provider: self.provider, path: self.file.path, at: self.clock.now(), outcome: .tokenUnavailable,
                error: "\(error)"
            )
            let stopped = self.state.withLock { state -> Bool in
                if !state.stopped { state.failures += 1 }
                return state.stopped
            }
            if !stopped { self.report(write) }
            return stopped ? nil : write
        }
        guard let token else { return nil }
        let write = self.state.withLock { state -> TokenFileWrite? in
            guard !state.stopped else { return nil }
            if let written = state.written, written.value == token.value, written.expiresAt == token.expiresAt {
                state.failures = 0
                return nil
            }
            let now = self.clock.now()
            do {
                try self.file.write(token, now: now)
            } catch {
                state.failures += 1
                return TokenFileWrite(
                    provider: self.provider, path: self.file.path, at: now, outcome: .writeFailed,
                    tokenFingerprint: token.value.fingerprint, error: "\(error)"
                )
            }
            state.written = token
            state.failures = 0
            return TokenFileWrite(
                provider: self.provider, path: self.file.path, at: now, outcome: .success,
                tokenFingerprint: token.value.fingerprint, expiresAt: token.expiresAt
            )
        }
        if let write { self.report(write) }
        return write
    }

    /// Keeps the file fresh until the task is cancelled or ``stop()`` is called.
    public func run() async {
        self.subscribeOnce()
        while !Task.isCancelled {
            let (deadline, hasToken) = self.nextCheck(now: self.clock.now())
            if self.state.withLock({ $0.stopped }) { return }
            let changed = await self.waitForChange(until: deadline)
            if Task.isCancelled { return }
            // Renewing a written token may wait for a refresh; before the first one, only a ready token
            // is taken (joining the manager's first refresh would count as a conflict).
            await self.update(waiting: !changed && hasToken)
        }
    }

    /// Stops writing: once it returns, the file is not written again.
    public func stop() {
        self.state.withLock { $0.stopped = true }
        self.wake.signal()
    }

    /// When to ask the source next, and whether a token was written.
    private func nextCheck(now: Int64) -> (deadline: Int64, hasToken: Bool) {
        self.state.withLock { state in
            if state.failures > 0 {
                let shift = min(state.failures - 1, 5)
                return (now + min(Self.minimumCheck << shift, Self.maximumBackoff), state.written != nil)
            }
            guard let written = state.written else { return (now + Self.minimumCheck, false) }
            let half = written.expiresAt > now ? (written.expiresAt - now) / 2 : 0
            return (now + min(max(half, Self.minimumCheck), Self.maximumCheck), true)
        }
    }

    /// Waits for the source's change notice or the deadline; returns whether a change came.
    private func waitForChange(until deadline: Int64) async -> Bool {
        let wake = self.wake
        let clock = self.clock
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await wake.wait()
                return true
            }
            group.addTask {
                try? await clock.sleep(untilNanos: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func subscribeOnce() {
        let subscribe = self.state.withLock { state -> Bool in
            defer { state.subscribed = true }
            return !state.subscribed
        }
        if subscribe { self.source.onChange(of: self.provider) { [wake] in wake.signal() } }
    }
}
