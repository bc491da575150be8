import Foundation
import Testing

/// The layers point down: checked on the source files, so a wrong import fails the suite before it tangles
/// the build.
@Suite("Import graph")
struct ImportGraphTests {
    /// The package's `Sources/` directory, found from this file's path.
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The project's targets above the cell grid and the ncurses backend.
    static let upperTargets: Set<String> = [
        "Dashboard", "TokenManager", "Telemetry", "Alerting", "Notifiers", "OAuthTopConfig", "OAuthTopRuntime",
        "DemoIdentityProvider", "AsyncHTTPClient", "Hummingbird",
    ]

    /// The Swift files of a target.
    static func files(_ target: String) throws -> [URL] {
        let directory = self.sources.appendingPathComponent(target)
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    /// The modules a target's files import (`import X`, `@testable import X`, `@_exported import X`).
    static func imports(_ target: String) throws -> Set<String> {
        var modules: Set<String> = []
        for file in try self.files(target) {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                if words.count >= 2, words[0] == "import" { modules.insert(String(words[1])) }
            }
        }
        return modules
    }

    @Test("Cells imports nothing of the project")
    func cells() throws {
        #expect(try !Self.files("Cells").isEmpty)
        #expect(try Self.imports("Cells").intersection(Self.upperTargets.union(["Terminal"])).isEmpty)
    }

    @Test("Terminal and terminal-demo import neither Dashboard nor anything above it")
    func terminal() throws {
        #expect(try Self.imports("Terminal").intersection(Self.upperTargets).isEmpty)
        #expect(try Self.imports("terminal-demo").intersection(Self.upperTargets).isEmpty)
    }

    @Test("Dashboard imports neither TokenManager nor Telemetry (nor any target above it)")
    func dashboard() throws {
        #expect(try !Self.files("Dashboard").isEmpty)
        #expect(try Self.imports("Dashboard").intersection(Self.upperTargets).isEmpty)
    }

    @Test("Alerting contains no oauth name")
    func alerting() throws {
        var offending: [String] = []
        for file in try Self.files("Alerting") {
            let text = try String(contentsOf: file, encoding: .utf8)
            if text.range(of: "oauth", options: .caseInsensitive) != nil { offending.append(file.lastPathComponent) }
        }
        #expect(offending.isEmpty, "files naming oauth: \(offending)")
    }
}
