import Foundation
import OAuthTopRuntime
import Synchronization

/// Asks every daemon of a fleet for its token over its socket (`GET /v1/token/{provider}`), again and again, for
/// the length of a body, and keeps every answer: when it was asked, the expiry it gave and the token; or the error.
///
/// A check that no daemon ever serves an expired token compares each answer's `expires_at` with the moment the
/// question was sent: the daemon answered after that moment, so an expiry before it was stale when served.
final class TokenSocketWatch: Sendable {
    struct Answer: Sendable {
        let daemon: Int
        /// When the question was sent, Unix nanoseconds.
        let askedAt: Int64
        /// The answer's `expires_at`, Unix nanoseconds; `nil` for an error or an unreadable time.
        let expiresAt: Int64?
        /// The token (a secret: compare it, never print it).
        let token: String?
        /// The error, for an answer that is not a token.
        let error: String?
    }

    private let answers = Mutex<[Answer]>([])

    /// Watches `sockets` (one task each, so a daemon that makes its caller wait does not hold up the others) every
    /// `interval` while `body` runs.
    static func watching<T: Sendable>(
        _ sockets: [String],
        provider: String,
        every interval: Duration = .milliseconds(200),
        _ body: (TokenSocketWatch) async throws -> T
    ) async throws -> T {
        let watch = TokenSocketWatch()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, socket) in sockets.enumerated() {
                group.addTask { await watch.poll(index, socket: socket, provider: provider, every: interval) }
            }
            defer { group.cancelAll() }
            return try await body(watch)
        }
    }

    private func poll(_ daemon: Int, socket: String, provider: String, every interval: Duration) async {
        let client = TokenSocketClient(endpoint: .unix(socket), timeout: .seconds(30))
        while !Task.isCancelled {
            let askedAt = Self.now()
            let answer: Answer
            do {
                let token = try await client.token(provider: provider)
                answer = Answer(
                    daemon: daemon, askedAt: askedAt, expiresAt: token.expiresAtNanoseconds,
                    token: token.accessToken.revealed, error: nil
                )
            } catch {
                answer = Answer(daemon: daemon, askedAt: askedAt, expiresAt: nil, token: nil, error: "\(error)")
            }
            guard !Task.isCancelled else { return }
            self.answers.withLock { $0.append(answer) }
            try? await Task.sleep(for: interval)
        }
    }

    /// Every answer so far.
    var all: [Answer] { self.answers.withLock { $0 } }

    /// The tokens answered whose `expires_at` was not after the moment they were asked for (or unreadable).
    func expired(askedAfter start: Int64 = 0) -> [Answer] {
        self.all.filter { answer in
            answer.token != nil && answer.askedAt >= start && (answer.expiresAt.map { $0 <= answer.askedAt } ?? true)
        }
    }

    /// Unix nanoseconds now.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}
