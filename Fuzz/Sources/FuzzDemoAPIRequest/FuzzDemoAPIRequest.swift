import DemoIdentityProvider

/// Feeds bytes to the demo API's request parsers: the first line is a stream query (`events=3&interval_ms=10`),
/// the rest a completion body (`{"model": "...", "prompt": "..."}`); the whole input is also tried as each.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDemoAPIRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let query = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = newline < bytes.endIndex ? Array(bytes[(newline + 1)...]) : []
    _ = try? DemoStreamRequest.parse(query: query)
    _ = try? DemoStreamRequest.parse(
        query: String(decoding: bytes, as: UTF8.self), maximumEvents: 5, maximumInterval: .zero
    )
    _ = try? DemoCompletionRequest.parse(body)
    _ = try? DemoCompletionRequest.parse(bytes)
    return 0
}
