import Foundation
import Testing

@testable import TokenManager

@Suite("File token store")
struct FileTokenStoreTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "oauthtop-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let sample = StoredToken(
        accessToken: "at", tokenType: "Bearer", expiresAtNanos: 2_000_000_000_000_000_000,
        obtainedAtNanos: 1_000, lifetimeNanos: 60_000_000_000, endpoint: "http://127.0.0.1:1/t",
        scope: nil, refreshToken: "rt", refreshTokenSeed: "abcd1234"
    )

    @Test("writes atomically with mode 0600 and reads back")
    func roundTrip() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/tokens.json"
        let store = FileTokenStore(path: path)
        try store.save(["demo": Self.sample])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/nested")
        #expect(leftovers == ["tokens.json"], "no temporary file is left behind")
        let loaded = store.load(now: 0)
        #expect(loaded.problem == nil)
        #expect(loaded.tokens["demo"] == Self.sample)
    }

    @Test("an existing file with loose permissions is replaced by a 0600 one")
    func tightensPermissions() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644])
        try FileTokenStore(path: path).save(["demo": Self.sample])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("a missing store is empty and not an error")
    func missing() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = FileTokenStore(path: directory + "/none.json").load(now: 0)
        #expect(loaded.tokens.isEmpty)
        #expect(loaded.problem == nil)
    }

    @Test("a corrupt store is set aside, reported, and the manager starts empty", arguments: [
        "{not json", #"{"version":1}"#, #"{"version":9,"providers":{}}"#, #"{"version":1,"providers":{"x":{"accessToken":1}}}"#,
    ])
    func corrupt(contents: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
        let loaded = FileTokenStore(path: path).load(now: 1_700_000_000_000_000_000)
        #expect(loaded.tokens.isEmpty)
        #expect(loaded.problem != nil)
        let aside = try #require(loaded.setAside)
        #expect(aside == path + ".corrupt-1700000000")
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the default path follows XDG_STATE_HOME")
    func defaultPath() {
        #expect(FileTokenStore.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/oauthtop/tokens.json")
        #expect(FileTokenStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/oauthtop/tokens.json")
    }
}
