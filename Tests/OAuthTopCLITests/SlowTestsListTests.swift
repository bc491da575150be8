import Foundation
import Testing

/// `scripts/test --fast` skips the slow suites by name (this toolchain's `swift test` cannot filter by tag):
/// every suite or test tagged `.slow` must be matched by its list, and the list must name nothing else.
@Suite("scripts/test --fast")
struct SlowTestsListTests {
    @Test("the slow-suite list of scripts/test matches exactly what is tagged .slow")
    func listMatchesTags() throws {
        let root = CLIBinary.packageRoot
        let script = try String(contentsOf: root.appendingPathComponent("scripts/test"), encoding: .utf8)
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("slow='") })
        let pattern = String(line.dropFirst("slow='".count).dropLast())
        let regex = try NSRegularExpression(pattern: pattern)
        func skipped(_ id: String) -> Bool {
            regex.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
        }

        var tagged: [String] = []
        var untagged: [String] = []
        let tests = root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix("OAuthTopTestKit/") {
            let module = String(file.prefix { $0 != "/" })
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            var type = ""
            var attributes = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("@Suite") || trimmed.hasPrefix("@Test") || !attributes.isEmpty {
                    attributes += line
                }
                // Suites are top-level types here; an indented `struct` is a helper inside one.
                let topLevel = !line.hasPrefix(" ")
                if topLevel, let name = Self.declared("extension ", in: line) {
                    type = name
                    attributes = ""
                } else if topLevel, let name = Self.declared("struct ", in: line) {
                    type = name
                    let id = "\(module).\(type)/"
                    if Self.taggedSlow(attributes) { tagged.append(id) } else { untagged.append(id) }
                    attributes = ""
                } else if let name = Self.declared("func ", in: line), !attributes.isEmpty {
                    let id = "\(module).\(type)/\(name)("
                    if Self.taggedSlow(attributes) { tagged.append(id) }
                    attributes = ""
                }
            }
        }
        #expect(!tagged.isEmpty)
        for id in tagged { #expect(skipped(id), "\(id) is tagged .slow but scripts/test --fast runs it") }
        for id in untagged { #expect(!skipped(id), "\(id) is not tagged .slow but scripts/test --fast skips it") }
    }

    /// Whether attribute text holds `.tags(..., .slow, ...)`.
    private static func taggedSlow(_ attributes: String) -> Bool {
        attributes.range(of: #"\.tags\([^)]*\.slow\b"#, options: .regularExpression) != nil
    }

    /// The name declared after `keyword` on `line` (`struct Name`, `func name(`), if any.
    private static func declared(_ keyword: String, in line: String) -> String? {
        guard let range = line.range(of: keyword) else { return nil }
        let before = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        guard before.isEmpty || before.hasSuffix("}") || before.hasSuffix(")") || before.hasPrefix("@")
            || ["private", "static", "mutating", "fileprivate"].contains(where: before.hasSuffix)
        else { return nil }
        let name = line[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }
}
