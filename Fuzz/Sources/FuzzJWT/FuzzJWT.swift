import TokenManager

/// Feeds bytes, as an access token, to the JWT reader the validator and the token response parser use:
/// the structure and claims reader, the base64url decoder and the `exp` shortcut.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let token = String(decoding: bytes, as: UTF8.self)
    if let jwt = try? CompactJWT.parse(token) {
        _ = (jwt.algorithm, jwt.keyID, jwt.expiry, jwt.notBefore, jwt.issuedAt, jwt.issuer, jwt.audiences)
    }
    _ = CompactJWT.looksLikeJWT(token)
    _ = JWTClaims.expiry(ofCompactJWT: token)
    _ = CompactJWT.base64URLDecode(bytes)
    return 0
}
