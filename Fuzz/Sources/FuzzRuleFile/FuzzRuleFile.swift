import OAuthTopConfig

/// Feeds bytes to the rule file parser (which also parses every `expr` in the rule language).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = RuleFileParser.parse(yaml: text, file: "fuzz.rules.yaml")
    return 0
}
