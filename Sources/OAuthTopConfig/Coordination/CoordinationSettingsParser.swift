import Foundation
import Primitives
import RedisClient

/// Parses the `coordination:` section of `oauthtop.yaml` into ``CoordinationSettings``.
///
/// ```yaml
/// coordination:
///   redis:
///     url: rediss://redis.internal:6380/0
///     password: {env: REDIS_PASSWORD}
///     key_prefix: "oauthtop:"
///     tls: {ca_file: /etc/ssl/redis-ca.pem, server_name: redis.internal}
///     lease: 10s
///     wait: 15s
///   encryption_key: {file: /run/secrets/oauthtop-state-key}   # 64 hex digits or base64 of 32 bytes
///   instance_id: worker-7
/// ```
struct CoordinationSettingsParser {
    let secrets: SecretReader
    var reader: YAMLReader { self.secrets.reader }

    static let keys = ["redis", "encryption_key", "instance_id"]
    static let redisKeys = ["url", "password", "key_prefix", "tls", "lease", "wait"]
    static let tlsKeys = ["ca_file", "server_name"]

    /// Reads the value of `coordination:`; `nil` after reporting at least one error.
    func settings(_ field: YAMLField) -> CoordinationSettings? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.keys, context: "'coordination'") else {
            return nil
        }
        let errorsBefore = self.reader.diagnostics.errorCount
        let redis = map.required("redis", self.redis)
        let key = map.required("encryption_key", self.encryptionKey)
        let instanceID = map.optional("instance_id", self.instanceID)
        guard self.reader.diagnostics.errorCount == errorsBefore, let redis, let key else { return nil }
        return CoordinationSettings(redis: redis, encryptionKey: key, instanceID: instanceID)
    }

    func redis(_ field: YAMLField) -> CoordinationSettings.Redis? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.redisKeys, context: "'coordination.redis'") else {
            return nil
        }
        let errorsBefore = self.reader.diagnostics.errorCount
        let url = map.required("url", self.url)
        var redis = CoordinationSettings.Redis(url: url ?? "")
        redis.password = map.optional("password", self.secrets.secret)
        if let prefix = map.optional("key_prefix", self.keyPrefix) { redis.keyPrefix = prefix }
        redis.tls = map.optional("tls", self.tls)
        if let lease = map.optional("lease", { self.reader.duration($0, positive: true) }) {
            if lease < .seconds(1), let leaseField = map["lease"] {
                self.reader.error(
                    "must be at least 1s (the lock is renewed every third of it), found \(leaseField.foundDescription)",
                    at: leaseField
                )
            }
            redis.lease = lease
        }
        if let wait = map.optional("wait", { self.reader.duration($0) }) { redis.wait = wait }
        if let tlsField = map["tls"], let url, url.lowercased().hasPrefix("redis://") {
            self.reader.error("applies to a rediss:// URL only; url is redis:// (no TLS)", at: tlsField)
        }
        guard self.reader.diagnostics.errorCount == errorsBefore, url != nil else { return nil }
        return redis
    }

    /// `redis://` or `rediss://` with a host, and without a password (which goes in `password`).
    func url(_ field: YAMLField) -> String? {
        let expectation = "a redis:// or rediss:// URL like redis://127.0.0.1:6379/0"
        // Not quoted in messages: the text may carry a password.
        let field = YAMLField(name: field.name, node: field.node, isSensitive: true)
        guard let text = field.scalarText?.trimmingSpaces, let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "redis" || scheme == "rediss",
            let host = components.host, !host.isEmpty
        else {
            self.reader.mismatch(field, expected: expectation)
            return nil
        }
        if components.password != nil {
            self.reader.error(
                "the URL must not carry a password; give it as password: \(SecretReader.expectation) "
                    + "(the URL is not shown)",
                at: field
            )
            return nil
        }
        let database = components.path.drop { $0 == "/" }
        guard database.isEmpty || (database.count <= 5 && database.allSatisfy(\.isASCII) && Int(database) != nil) else {
            self.reader.error("the URL's path must be a database number like /0, found '/\(database)'", at: field)
            return nil
        }
        // The client's own parser has the last word, so that what passes here connects (its errors never
        // quote the user information).
        do {
            _ = try RedisConfiguration(url: text)
        } catch {
            self.reader.error("\(error)", at: field)
            return nil
        }
        return text
    }

    /// A prefix without braces (they would move the Redis Cluster hash tag) or spaces.
    func keyPrefix(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field) else { return nil }
        guard !text.contains(where: { $0 == "{" || $0 == "}" || $0 == " " || $0.isNewline }), text.count <= 64 else {
            self.reader.error(
                "must be at most 64 characters without '{', '}' or spaces (the provider's name is the hash tag), "
                    + "found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return text
    }

    func tls(_ field: YAMLField) -> CoordinationSettings.TLS? {
        guard let map = self.reader.mapping(field, allowedKeys: Self.tlsKeys, context: "'coordination.redis.tls'")
        else { return nil }
        return CoordinationSettings.TLS(
            caFile: map.optional("ca_file", self.reader.nonEmptyString),
            serverName: map.optional("server_name", self.reader.nonEmptyString)
        )
    }

    func instanceID(_ field: YAMLField) -> String? {
        guard let text = self.reader.nonEmptyString(field) else { return nil }
        guard text.count <= 128, text.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            self.reader.error(
                "must be at most 128 printable ASCII characters without spaces, found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return text
    }

    /// The state encryption key: a secret reference whose value is 64 hex digits or base64 of 32 bytes.
    /// Returned as 64 lowercase hex digits.
    func encryptionKey(_ field: YAMLField) -> Secret? {
        guard let secret = self.secrets.secret(field) else { return nil }
        let text = secret.revealed.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8]?
        if text.utf8.count == 64, let hex = Hex.decode(text) {
            bytes = hex
        } else if let data = Data(base64Encoded: text) {
            bytes = Array(data)
        }
        guard let bytes, bytes.count == 32 else {
            let found = bytes.map { "\($0.count) bytes" } ?? "neither hex nor base64"
            self.reader.error(
                "must be 32 bytes written as 64 hex digits or as base64 (e.g. the output of "
                    + "`openssl rand -hex 32`); the value read is \(found) (not shown)",
                at: field
            )
            return nil
        }
        return Secret(Hex.encode(bytes))
    }
}
