import NIOCore
import Primitives
import RedisClient

/// The ``CoordinationStore`` of a real fleet: Redis (or a compatible server such as Valkey), each
/// operation one command or one Lua script, so each is atomic on the server.
///
/// Keys (``CoordinationKeys``): `PREFIX{provider}:lock` holds the ``LockOwner`` value with a `PX` lease,
/// `:fence` is the fence counter (`INCR` on every grant), `:state` holds the ``SealedState`` bytes, and
/// `:updates` is the pub/sub channel carrying each new generation's number. The scripts read the
/// generation from the sealed state's clear header (bytes 10 to 17, big-endian), so the server compares
/// generations without the key. Nothing in any key or message is a secret in clear.
///
/// Every Redis error (unreachable, timed out, an error reply, a reply of another shape) is thrown as
/// ``CoordinationStoreError``; the coordinator then refreshes in process. The client's errors never
/// carry a password or a command's arguments, only the command's name.
public final class RedisCoordinationStore: CoordinationStore {
    private let client: RedisClient

    /// - Parameter client: A client for the fleet's server; the store does not shut it down.
    public init(client: RedisClient) {
        self.client = client
    }

    /// `SET lock owner NX PX lease`, then `INCR fence` when it was set: the new fence, or nil.
    static let acquireScript = RedisScript(
        """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return redis.call('INCR', KEYS[2])
        end
        return false
        """
    )

    /// Compare-and-`PEXPIRE`: the lock is still this owner's and the fence still the latest grant.
    static let renewScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return 0
        """
    )

    /// Compare-and-`DEL`: never another owner's lock.
    static let releaseScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """
    )

    /// Writes the state if the stored generation is the expected one (0: none) and the fence is still
    /// the latest grant. A stored value too short to hold a header counts as generation -1: it is never
    /// overwritten by this script (a person looks at it; `docs/coordination.md`).
    static let compareAndSetScript = RedisScript(
        """
        if redis.call('GET', KEYS[2]) ~= ARGV[2] then
          return 0
        end
        local current = redis.call('GET', KEYS[1])
        local generation = 0
        if current then
          if #current < 17 then
            generation = -1
          else
            generation = 0
            for i = 10, 17 do
              generation = generation * 256 + string.byte(current, i)
            end
          end
        end
        if generation ~= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[3])
        return 1
        """
    )

    /// The client's event loop: the coordinator runs a round's calls there, so each is one network round
    /// trip and no thread hop (Benchmarks/redis-compare).
    public var preferredExecutor: (any TaskExecutor)? { self.client.taskExecutor }

    public func acquire(_ keys: CoordinationKeys, owner: LockOwner, lease: Duration) async throws -> Fence? {
        let reply = try await self.run("acquire", keys) {
            try await self.client.evalSHA(
                Self.acquireScript, keys: [.init(keys.lock), .init(keys.fence)],
                arguments: [.init(owner.value), .init(Self.milliseconds(lease))]
            )
        }
        switch reply {
        case .bulkString(nil), .array(nil):
            return nil
        case .integer(let value) where value > 0:
            return Fence(UInt64(value))
        default:
            throw CoordinationStoreError.unexpectedReply("acquire \(keys.lock): \(Self.shape(reply))")
        }
    }

    public func renew(_ keys: CoordinationKeys, owner: LockOwner, fence: Fence, lease: Duration) async throws -> Bool {
        let reply = try await self.run("renew", keys) {
            try await self.client.evalSHA(
                Self.renewScript, keys: [.init(keys.lock), .init(keys.fence)],
                arguments: [.init(owner.value), .init(fence.value), .init(Self.milliseconds(lease))]
            )
        }
        return try Self.flag(reply, "renew \(keys.lock)")
    }

    public func release(_ keys: CoordinationKeys, owner: LockOwner) async throws -> Bool {
        let reply = try await self.run("release", keys) {
            try await self.client.evalSHA(
                Self.releaseScript, keys: [.init(keys.lock)], arguments: [.init(owner.value)]
            )
        }
        return try Self.flag(reply, "release \(keys.lock)")
    }

    public func read(_ keys: CoordinationKeys) async throws -> SealedState? {
        let value = try await self.run("read", keys) { try await self.client.get(.init(keys.state)) }
        guard let value else { return nil }
        // A value that is not a sealed state throws SealedStateError: the coordinator says which.
        return try SealedState(bytes: Array(value.readableBytesView))
    }

    public func compareAndSet(
        _ keys: CoordinationKeys,
        expectedGeneration: UInt64,
        fence: Fence,
        state: SealedState
    ) async throws -> Bool {
        let reply = try await self.run("write", keys) {
            try await self.client.evalSHA(
                Self.compareAndSetScript, keys: [.init(keys.state), .init(keys.fence)],
                arguments: [.init(expectedGeneration), .init(fence.value), .init(state.bytes)]
            )
        }
        return try Self.flag(reply, "write \(keys.state)")
    }

    public func publish(_ keys: CoordinationKeys, generation: UInt64) async throws {
        _ = try await self.run("publish", keys) {
            try await self.client.publish(.init(generation), to: .init(keys.channel))
        }
    }

    /// The generations published on the provider's channel. The subscription opens on a connection of
    /// its own; a message published before the server confirmed it, or while it reconnects, is lost,
    /// which the waiters' polling covers. The stream ends when the subscription fails.
    public func notifications(_ keys: CoordinationKeys) -> AsyncStream<UInt64> {
        let events = self.client.subscribe(to: [keys.channel])
        return AsyncStream(bufferingPolicy: .bufferingNewest(16)) { continuation in
            let task = Task {
                do {
                    for try await event in events {
                        guard case .message(_, let payload) = event,
                            let generation = UInt64(String(buffer: payload))
                        else { continue }
                        continuation.yield(generation)
                    }
                } catch {
                    // The waiter polls; an ended stream only costs it the wake-up.
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func holder(_ keys: CoordinationKeys) async throws -> LockOwner? {
        let value = try await self.run("holder", keys) { try await self.client.get(.init(keys.lock)) }
        return value.flatMap { LockOwner(value: String(buffer: $0)) }
    }

    /// Runs one Redis call, turning whatever it throws into ``CoordinationStoreError``.
    private func run<T: Sendable>(
        _ operation: String,
        _ keys: CoordinationKeys,
        _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as CoordinationStoreError {
            throw error
        } catch {
            throw CoordinationStoreError.unavailable("\(operation) \(keys): \(error)")
        }
    }

    private static func flag(_ reply: RESPValue, _ what: String) throws -> Bool {
        guard case .integer(let value) = reply else {
            throw CoordinationStoreError.unexpectedReply("\(what): \(Self.shape(reply))")
        }
        return value == 1
    }

    /// A reply's type, for an error message (never its content: it could be a sealed state).
    private static func shape(_ reply: RESPValue) -> String {
        switch reply {
        case .simpleString: "a status line"
        case .error: "an error"
        case .integer(let value): "the integer \(value)"
        case .bulkString(nil): "null"
        case .bulkString(let bytes?): "a \(bytes.readableBytes)-byte string"
        case .array(nil): "a null array"
        case .array(let values?): "an array of \(values.count)"
        }
    }

    /// A lease in whole milliseconds, at least 1 (`PX 0` is an error).
    static func milliseconds(_ duration: Duration) -> Int64 {
        max(1, duration.milliseconds)
    }
}
