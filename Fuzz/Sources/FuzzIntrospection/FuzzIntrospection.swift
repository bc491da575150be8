import TokenManager

/// Feeds bytes, as an RFC 7662 introspection response, to the parser the live probe uses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIntrospection(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? IntrospectionResponse.parse(bytes)
    return 0
}
