import NIOHTTP1
import OAuthTopConfig
import OAuthTopRuntime

/// Feeds bytes to the API proxy's parsers of outside input: the request guard (method and raw request
/// target), the `WWW-Authenticate` rule, the `Connection` field's options, and the `on_rate_limit` JSON body
/// rewrite. The first line is the method, the second the target (also read as a `WWW-Authenticate` value
/// and as a `Connection` value), the rest a request body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let text = String(decoding: bytes, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let method = parts.count > 1 ? parts[0] : "GET"
    let target = parts.count > 1 ? parts[1] : parts[0]
    switch ProxyRequestGuard.check(method: method, target: target) {
    case .success(let checked):
        // What passes is origin-form, printable ASCII, with no dot segment.
        precondition(checked.path.hasPrefix("/"), "a forwarded path must start with /")
        precondition(!checked.path.split(separator: "/").contains { $0 == ".." || $0 == "." }, "a dot segment passed")
        precondition(checked.originForm.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "a control byte passed")
    case .failure(let refusal):
        precondition(refusal.status == 400 || refusal.status == 405, "a refusal must be 400 or 405")
    }
    _ = AuthErrorRule.isInvalidTokenChallenge(target)
    // Hop-by-hop fields never cross the proxy, whatever `Connection` names.
    let fields = HTTPHeaders([("Connection", target), ("Transfer-Encoding", "chunked"), ("X-Named", "1")])
    let down = ProxyHeaders.clientResponseFields(fields)
    precondition(
        !down.contains { ["connection", "transfer-encoding"].contains($0.name.lowercased()) }, "a hop-by-hop field crossed"
    )
    // The options are the comma-separated members, trimmed, never empty, never close or keep-alive.
    var options: [Substring] = []
    ProxyHeaders.connectionOptions(target, into: &options)
    for option in options {
        precondition(!option.isEmpty && !option.contains(","), "an option must be one non-empty member")
        precondition(
            !option.hasPrefix(" ") && !option.hasPrefix("\t") && !option.hasSuffix(" ") && !option.hasSuffix("\t"),
            "an option must be trimmed"
        )
        precondition(!["close", "keep-alive"].contains(option.lowercased()), "close and keep-alive name no field")
    }
    let body = parts.count > 2 ? Array(parts[2].utf8) : bytes
    for rule in [
        ProxySettings.BodyRewrite(jsonField: "model", from: "big", to: "small"),
        ProxySettings.BodyRewrite(jsonField: "a.b.model", to: "x\"y"),
    ] {
        if case .rewritten(let rewritten) = JSONBodyRewrite.apply(rule, to: body) {
            // The rewritten body is JSON again, with the new value in place.
            let again = JSONBodyRewrite.apply(ProxySettings.BodyRewrite(jsonField: rule.jsonField, from: rule.to, to: rule.to), to: rewritten)
            precondition(again == .rewritten(rewritten), "the rewritten body does not read back: \(again)")
        }
    }
    return 0
}
