import Logging
import NIOCore
import OAuthTopTestKit
import Primitives
import RedisClient
import Testing

/// The client against Debian's real `redis-server`, one private server per test.
@Suite(.enabled(if: RedisServer.isInstalled, RedisServer.missingMessage), .tags(.realServer))
struct RedisClientServerTests {
    private let logs = LogCapture()

    private func client(_ configuration: RedisConfiguration) throws -> RedisClient {
        try RedisClient(configuration: configuration, logger: self.logs.logger(label: "redis-test"))
    }

    @Test func setNXPXGetDelIncrAndPexpire() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)

            #expect(try await redis.set("lock", to: "owner-1", options: .ifAbsent(expiringAfter: .seconds(30))))
            #expect(try await !redis.set("lock", to: "owner-2", options: .ifAbsent(expiringAfter: .seconds(30))))
            #expect(try await redis.get("lock").map { String(buffer: $0) } == "owner-1")
            let ttl = try await redis.send(["PTTL", "lock"]).int ?? -1
            // Set with a 30 s expiry, not yet expired (no lower bound: a loaded machine may take seconds here).
            #expect(ttl > 0 && ttl <= 30_000)
            #expect(try await redis.pexpire("lock", after: .seconds(60)))
            #expect(try await !redis.pexpire("missing", after: .seconds(60)))
            #expect(try await redis.del(["lock", "missing"]) == 1)
            #expect(try await redis.get("lock") == nil)
            #expect(try await redis.incr("fence") == 1)
            #expect(try await redis.incr("fence") == 2)
            #expect(try await redis.set("plain", to: RESPArgument([0, 255, 13, 10])))
            #expect(try await redis.get("plain").map { Array($0.readableBytesView) } == [0, 255, 13, 10])
            try await redis.ping()

            let error = await #expect(throws: RedisError.self) { try await redis.incr("plain") }
            #expect(error?.isServerError == true)
            #expect(error?.command == "INCR")
            #expect(error?.description.contains("not an integer") == true)
            await redis.shutdown()
        }
    }

    @Test func evalAndEvalSHARecoverFromNOSCRIPT() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)
            let compareAndDelete = RedisScript(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
            )
            try await redis.set("lock", to: "me")
            #expect(try await redis.eval("return ARGV[1] .. KEYS[1]", keys: ["k"], arguments: ["a"]).string == "ak")
            // Never loaded: EVALSHA answers NOSCRIPT, the client loads it and runs it.
            #expect(try await redis.evalSHA(compareAndDelete, keys: ["lock"], arguments: ["other"]) == .integer(0))
            #expect(try await redis.evalSHA(compareAndDelete, keys: ["lock"], arguments: ["me"]) == .integer(1))
            try await redis.send(["SCRIPT", "FLUSH"])
            try await redis.set("lock", to: "me")
            #expect(try await redis.evalSHA(compareAndDelete, keys: ["lock"], arguments: ["me"]) == .integer(1))

            let error = await #expect(throws: RedisError.self) {
                try await redis.eval("return redis.call('NOPE')", arguments: ["sw0rdfish"])
            }
            #expect(error?.command == "EVAL")
            #expect(error.map { !$0.description.contains("sw0rdfish") } == true)
            await redis.shutdown()
        }
    }

    @Test func authenticatesWithAPassword() async throws {
        try await RedisServer.with(RedisServer.Options(password: "pass-word-1")) { server in
            let redis = try self.client(server.configuration)
            try await redis.set("k", to: "v")
            await redis.shutdown()

            var anonymous = server.configuration
            anonymous.password = nil
            let unauthenticated = try self.client(anonymous)
            let error = await #expect(throws: RedisError.self) { try await unauthenticated.get("k") }
            #expect(error?.serverErrorPrefix == "NOAUTH")
            await unauthenticated.shutdown()
        }
    }

    @Test func authenticatesAnACLUserAndRejectsAWrongPasswordWithoutShowingIt() async throws {
        let options = RedisServer.Options(aclUser: (name: "worker", password: "right-pass-7"))
        try await RedisServer.with(options) { server in
            let redis = try self.client(server.configuration)
            #expect(try await redis.send(["ACL", "WHOAMI"]).string == "worker")
            await redis.shutdown()

            var wrong = server.configuration
            wrong.password = Secret("wr0ng-passw0rd")
            let rejected = try self.client(wrong)
            let error = await #expect(throws: RedisError.self) { try await rejected.ping() }
            let description = error.map { String(describing: $0) } ?? ""
            #expect(error?.serverErrorPrefix == "WRONGPASS", "\(description)")
            #expect(error?.command == "AUTH")
            #expect(!description.contains("wr0ng-passw0rd"))
            #expect(!description.contains("right-pass-7"))
            await rejected.shutdown()
        }
        #expect(!self.logs.lines.joined().contains("wr0ng-passw0rd"))
        #expect(!self.logs.lines.joined().contains("right-pass-7"))
    }

    @Test func selectKeepsDatabasesApart() async throws {
        try await RedisServer.with { server in
            var first = server.configuration
            first.database = 1
            var second = server.configuration
            second.database = 2
            let one = try self.client(first)
            let two = try self.client(second)
            try await one.set("shared-name", to: "in-1")
            #expect(try await two.get("shared-name") == nil)
            try await two.set("shared-name", to: "in-2")
            #expect(try await one.get("shared-name").map { String(buffer: $0) } == "in-1")
            await one.shutdown()
            await two.shutdown()
        }
    }

    @Test func publishReachesASubscriber() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)
            let events = redis.subscribe(to: ["refreshed:a", "refreshed:b"])
            var iterator = events.makeAsyncIterator()
            #expect(try await iterator.next() == .subscribed)
            #expect(try await redis.publish("gen-7", to: "refreshed:b") == 1)
            #expect(try await redis.publish("gen-8", to: "unrelated") == 0)
            #expect(try await redis.publish("gen-9", to: "refreshed:a") == 1)
            #expect(try await iterator.next() == .message(channel: "refreshed:b", payload: ByteBuffer(string: "gen-7")))
            #expect(try await iterator.next() == .message(channel: "refreshed:a", payload: ByteBuffer(string: "gen-9")))
            await redis.shutdown()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func cancellingTheConsumerUnsubscribes() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)
            let subscribed = Gate()
            let consumer = Task {
                for try await event in redis.subscribe(to: ["ch"]) where event == .subscribed { subscribed.open() }
            }
            await subscribed.wait()
            #expect(try await redis.send(["PUBSUB", "NUMSUB", "ch"]).array?.last == .integer(1))
            consumer.cancel()
            _ = await consumer.result
            let gone = try await eventually {
                try await redis.send(["PUBSUB", "NUMSUB", "ch"]).array?.last == .integer(0)
            }
            #expect(gone)
            await redis.shutdown()
        }
    }

    @Test func aCommandTimeoutFailsTheCallerAndTheClientRecovers() async throws {
        try await RedisServer.with { server in
            var configuration = server.configuration
            configuration.commandTimeout = .milliseconds(300)
            configuration.poolSize = 1
            let redis = try self.client(configuration)
            // Connected first: on a loaded machine (the suite's start) a first PING can itself take over 0.3 s,
            // and a timed-out one is retried on a new connection.
            let connected = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                (try? await redis.ping()) != nil
            }
            try #require(connected)
            let error = await #expect(throws: RedisError.self) { try await redis.send(["DEBUG", "SLEEP", "2"]) }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
            #expect(error?.command == "DEBUG")
            // The connection that timed out is closed; a new one answers once the server wakes up.
            let recovered = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                (try? await redis.ping()) != nil
            }
            #expect(recovered)
            await redis.shutdown()
        }
    }

    @Test func reconnectsAndResubscribesAfterARestart() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)
            try await redis.set("before", to: "1")
            var events = redis.subscribe(to: ["news"]).makeAsyncIterator()
            #expect(try await events.next() == .subscribed)

            server.stop()
            let error = await #expect(throws: RedisError.self) { try await redis.get("before") }
            #expect(error?.isConnectionError == true, "\(String(describing: error))")

            try await server.start()
            let back = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                (try? await redis.set("after", to: "2")) == true
            }
            #expect(back)
            #expect(try await redis.get("after").map { String(buffer: $0) } == "2")
            #expect(try await events.next() == .resubscribed)
            #expect(try await redis.publish("hello", to: "news") == 1)
            #expect(try await events.next() == .message(channel: "news", payload: ByteBuffer(string: "hello")))
            #expect(self.logs.lines.contains { $0.contains("Redis reconnected") })
            await redis.shutdown()
        }
    }

    @Test func aThousandConcurrentCommandsEachGetTheirOwnReply() async throws {
        try await RedisServer.with { server in
            var configuration = server.configuration
            configuration.poolSize = 4
            let redis = try self.client(configuration)
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let reply = try await redis.send(["ECHO", RESPArgument("reply-\(index)")])
                        return reply.string == "reply-\(index)" ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(redis.openConnections <= 4)
            #expect(redis.openConnections >= 1)
            // The server's view too: the pool's connections, not counting the fixture's readiness probes (their
            // last command is PING), which a loaded machine may still be closing.
            var clients: [Substring] = []
            let serverCount = await eventually(timeout: .seconds(10)) {
                clients = (try? await redis.send(["CLIENT", "LIST"]).string?.split(separator: "\n")) ?? []
                return clients.filter { !$0.contains(" cmd=ping ") }.count <= 4
            }
            #expect(serverCount, "CLIENT LIST:\n\(clients.joined(separator: "\n"))")
            await redis.shutdown()
            #expect(redis.openConnections == 0)
            await #expect(throws: RedisError.self) { try await redis.ping() }
        }
    }

    @Test func neverLogsArgumentsOrValues() async throws {
        try await RedisServer.with { server in
            let redis = try self.client(server.configuration)
            try await redis.set("token-key", to: "access-token-value-xyz")
            _ = try await redis.get("token-key")
            _ = try? await redis.send(["SET", "k"])
            server.stop()
            _ = try? await redis.get("token-key")
            try await server.start()
            _ = await eventually { (try? await redis.ping()) != nil }
            await redis.shutdown()
        }
        let text = self.logs.lines.joined(separator: "\n")
        #expect(!text.contains("access-token-value-xyz"))
        #expect(!text.contains("token-key"))
    }

    @Test func speaksTLSWithATrustedCA() async throws {
        try await RedisServer.with(tls: true) { server in
            let redis = try self.client(server.configuration)
            try await redis.set("over-tls", to: "yes")
            #expect(try await redis.get("over-tls").map { String(buffer: $0) } == "yes")
            await redis.shutdown()

            var url = try RedisConfiguration(url: "rediss://localhost:\(server.port)/3")
            url.tls.caFile = server.options.tls?.caCertificate
            let byName = try self.client(url)
            #expect(try await byName.get("over-tls") == nil)
            await byName.shutdown()

            var untrusted = server.configuration
            untrusted.tls.caFile = nil
            let stranger = try self.client(untrusted)
            let error = await #expect(throws: RedisError.self) { try await stranger.ping() }
            #expect(error?.shortCode == "tls", "\(String(describing: error))")
            await stranger.shutdown()

            var plain = server.configuration
            plain.tls = .disabled
            plain.connectTimeout = .seconds(2)
            plain.commandTimeout = .seconds(2)
            let cleartext = try self.client(plain)
            await #expect(throws: RedisError.self) { try await cleartext.ping() }
            await cleartext.shutdown()
        }
    }
}
