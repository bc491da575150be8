import Foundation
import Primitives
import Testing
import TokenManager

@Suite("Token files: atomic writes with mode, owner, group; raw and JSON contents")
struct TokenFileTests {
    static let token = AccessToken(
        value: Secret("token-value-abc"), tokenType: "Bearer", expiresAt: 1_796_000_600_000_000_000
    )
    static let now: Int64 = 1_796_000_000_400_000_000

    private func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("token-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    private func status(_ path: String) -> stat {
        var info = stat()
        stat(path, &info)
        return info
    }

    @Test("raw: the token alone, no newline; mode 0600 by default")
    func raw() throws {
        try self.withDirectory { directory in
            let file = TokenFile(path: directory + "/t")
            try file.write(Self.token, now: Self.now)
            #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "token-value-abc")
            #expect(self.status(file.path).st_mode & 0o777 == 0o600)
        }
    }

    @Test("json: access_token, token_type, expires_at in RFC 3339, expires_in in whole seconds")
    func json() throws {
        let bytes = TokenFile(path: "/unused", format: .json).contents(of: Self.token, now: Self.now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["access_token"] as? String == "token-value-abc")
        #expect(object["token_type"] as? String == "Bearer")
        #expect(object["expires_at"] as? String == "2026-11-30T01:03:20Z")
        #expect(object["expires_in"] as? Int == 599)
        #expect(object.count == 4)
        let decoded = try JSONDecoder().decode(TokenDocument.self, from: Data(bytes))
        #expect(decoded == TokenDocument(Self.token, now: Self.now))
        let expired = TokenDocument(Self.token, now: Self.token.expiresAt + 5_000_000_000)
        #expect(expired.expiresIn == 0, "never negative")
    }

    @Test("the mode asked is the file's mode, whatever the umask and whatever the file had before")
    func mode() throws {
        try self.withDirectory { directory in
            let path = directory + "/t"
            _ = FileManager.default.createFile(
                atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o666]
            )
            let previous = umask(0o077)
            defer { umask(previous) }
            try TokenFile(path: path, mode: try FileMode(parsing: "0640")).write(Self.token, now: Self.now)
            #expect(self.status(path).st_mode & 0o777 == 0o640)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "token-value-abc")
        }
    }

    @Test("owner and group are set before the file appears (root can give it to nobody, 65534)",
          .enabled(if: getuid() == 0, "only root may give files away"))
    func ownerAndGroup() throws {
        try self.withDirectory { directory in
            let path = directory + "/t"
            try TokenFile(path: path, mode: try FileMode(parsing: "0640"), owner: 65534, group: 65534)
                .write(Self.token, now: Self.now)
            let info = self.status(path)
            #expect(info.st_uid == 65534)
            #expect(info.st_gid == 65534)
            #expect(info.st_mode & 0o777 == 0o640)
            try TokenFile(path: path, group: 0).write(Self.token, now: Self.now)
            #expect(self.status(path).st_uid == 0, "no owner given: the writer's")
            #expect(self.status(path).st_gid == 0)
        }
    }

    @Test("each write replaces the file (a new inode, no temporary file left), so a reader sees old or new")
    func atomicReplace() throws {
        try self.withDirectory { directory in
            let file = TokenFile(path: directory + "/t")
            try file.write(Self.token, now: Self.now)
            let before = self.status(file.path).st_ino
            var next = Self.token
            next.value = Secret("token-value-def")
            try file.write(next, now: Self.now)
            #expect(self.status(file.path).st_ino != before)
            #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "token-value-def")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["t"])
        }
    }

    @Test("a failure names the path and the reason, never the token")
    func failure() throws {
        let file = TokenFile(path: "/proc/oauthtop-cannot-write/t")
        #expect {
            try file.write(Self.token, now: Self.now)
        } throws: { error in
            let text = "\(error)"
            return text.contains("/proc/oauthtop-cannot-write") && !text.contains("token-value-abc")
        }
    }
}
