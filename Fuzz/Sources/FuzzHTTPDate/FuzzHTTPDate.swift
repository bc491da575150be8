import Primitives

/// Feeds bytes to the `Date` and `Retry-After` header parsers. The first line is a `Date` value,
/// the rest a `Retry-After` value measured against it (or against a fixed local time).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPDate(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let date = String(parts[0])
    let retryAfter = parts.count > 1 ? String(parts[1]) : date
    let serverNow = HTTPDate.parse(date)
    _ = HTTPDate.retryAfter(retryAfter, serverNow: serverNow, localNow: 1_796_000_000)
    _ = HTTPDate.retryAfter(date, serverNow: nil, localNow: 0)
    return 0
}
