import NIOCore

extension RedisClient {
    /// `GET key`.
    ///
    /// - Returns: The value, or `nil` when the key does not exist.
    /// - Throws: ``RedisError``, also when the key holds something other than a string.
    public func get(_ key: RESPArgument) async throws -> ByteBuffer? {
        let reply = try await self.send(["GET", key])
        switch reply {
        case .bulkString(let bytes): return bytes
        default: throw RedisError.unexpectedReply(command: "GET", got: reply, expected: "a bulk string or null")
        }
    }

    /// `SET key value [NX|XX] [PX ms]`.
    ///
    /// - Returns: Whether the value was set: `false` when an `NX` or `XX` condition did not hold.
    /// - Throws: ``RedisError``.
    @discardableResult
    public func set(_ key: RESPArgument, to value: RESPArgument, options: RedisSetOptions = .none) async throws -> Bool
    {
        let reply = try await self.send(["SET", key, value] + options.arguments)
        switch reply {
        case .simpleString("OK"): return true
        case .bulkString(nil): return false
        default: throw RedisError.unexpectedReply(command: "SET", got: reply, expected: "OK or null")
        }
    }

    /// `DEL key...`.
    ///
    /// - Returns: How many of the keys existed and were removed.
    @discardableResult
    public func del(_ keys: [RESPArgument]) async throws -> Int {
        Int(try await self.integer(["DEL"] + keys))
    }

    /// `INCR key`.
    ///
    /// - Returns: The value after the increment (1 for a key that did not exist).
    public func incr(_ key: RESPArgument) async throws -> Int64 {
        try await self.integer(["INCR", key])
    }

    /// `PEXPIRE key ms`.
    ///
    /// - Returns: Whether the key exists (and now expires after `expiry`).
    @discardableResult
    public func pexpire(_ key: RESPArgument, after expiry: Duration) async throws -> Bool {
        try await self.integer(["PEXPIRE", key, RESPArgument(max(expiry.milliseconds, 1))]) == 1
    }

    /// `PUBLISH channel message`.
    ///
    /// - Returns: How many subscribers received the message (on this server).
    @discardableResult
    public func publish(_ message: RESPArgument, to channel: RESPArgument) async throws -> Int {
        Int(try await self.integer(["PUBLISH", channel, message]))
    }

    /// `PING`, answered `PONG`.
    ///
    /// - Throws: ``RedisError`` when the server cannot be reached or answers something else.
    public func ping() async throws {
        let reply = try await self.send(["PING"])
        guard reply.string == "PONG" else {
            throw RedisError.unexpectedReply(command: "PING", got: reply, expected: "PONG")
        }
    }

    /// `EVAL script numkeys key... arg...`.
    ///
    /// - Returns: The script's reply.
    /// - Throws: ``RedisError`` naming `EVAL` with the server's message when the script fails.
    public func eval(
        _ script: String, keys: [RESPArgument] = [], arguments: [RESPArgument] = []
    ) async throws -> RESPValue {
        try await self.send(["EVAL", RESPArgument(script), RESPArgument(keys.count)] + keys + arguments)
    }

    /// `EVALSHA sha numkeys key... arg...`, loading the script first when the server does not know it.
    ///
    /// On a `NOSCRIPT` reply it sends `SCRIPT LOAD source` and then `EVALSHA` once more: scripts vanish on a
    /// restart, a failover or `SCRIPT FLUSH`.
    ///
    /// - Returns: The script's reply.
    /// - Throws: ``RedisError`` naming `EVALSHA` (or `SCRIPT`) with the server's message.
    public func evalSHA(
        _ script: RedisScript, keys: [RESPArgument] = [], arguments: [RESPArgument] = []
    ) async throws
        -> RESPValue
    {
        let command: [RESPArgument] =
            ["EVALSHA", RESPArgument(script.sha1), RESPArgument(keys.count)] + keys + arguments
        do {
            return try await self.send(command)
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            try await self.loadScript(script)
            return try await self.send(command)
        }
    }

    /// `SCRIPT LOAD source`, checking the server computed the same SHA-1.
    public func loadScript(_ script: RedisScript) async throws {
        let reply = try await self.send(["SCRIPT", "LOAD", RESPArgument(script.source)])
        guard reply.string?.lowercased() == script.sha1 else {
            throw RedisError.unexpectedReply(command: "SCRIPT", got: reply, expected: "the script's SHA-1")
        }
    }

    private func integer(_ arguments: [RESPArgument]) async throws -> Int64 {
        let reply = try await self.send(arguments)
        guard case .integer(let value) = reply else {
            throw RedisError.unexpectedReply(
                command: RedisConnection.commandName(arguments), got: reply, expected: "an integer")
        }
        return value
    }
}
