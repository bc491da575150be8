import Alerting

/// Feeds bytes to the rule language's expression parser, and to the label-set parser that
/// reads expected labels in rule unit tests.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleExpression(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = try? RuleExpression.parse(text)
    _ = try? Labels.parse(text)
    return 0
}
