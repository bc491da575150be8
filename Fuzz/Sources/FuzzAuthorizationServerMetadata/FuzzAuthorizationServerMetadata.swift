import TokenManager

/// Feeds bytes, as an RFC 8414 / OpenID Connect metadata document, to the discovery parser; the first line
/// is also read as an issuer whose metadata URLs are derived.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthorizationServerMetadata(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    _ = try? AuthorizationServerMetadata.parse(bytes, expectedIssuer: nil)
    _ = try? AuthorizationServerMetadata.parse(bytes, expectedIssuer: "https://idp.example.com")
    let firstLine = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
    _ = AuthorizationServerMetadata.urls(forIssuer: String(decoding: firstLine, as: UTF8.self))
    return 0
}
