import TokenManager

/// Feeds bytes, as a JWKS document, to the parser that reads an issuer's keys (RFC 7517 §5).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWKS(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let document = try? JWKSDocument.parse(bytes) {
        for key in document.keys { _ = key.algorithms }
    }
    return 0
}
