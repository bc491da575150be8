import OAuthTopConfig

/// Feeds bytes to the rule unit-test file parser (promtool's test format, series notation included).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleTestFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = RuleTestFileParser(fileReader: .inMemory([:])).parse(yaml: text, file: "fuzz.test.yaml")
    return 0
}
