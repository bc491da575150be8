import OAuthTopRuntime
import Primitives

/// Feeds bytes to the token socket's request parser (`SocketRoute.parse`, Prometheus's `/api/v1/...` paths
/// included) and the bearer check. The
/// first line is the method, the second the request target, the rest an `Authorization` value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSocketRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let method = parts.count > 1 ? parts[0] : "GET"
    let target = parts.count > 1 ? parts[1] : parts[0]
    do {
        if let route = try SocketRoute.parse(method: method, target: target) {
            let length = route.provider?.utf8.count ?? 1
            precondition((1...SocketRoute.maxProviderNameLength).contains(length), "a provider name of \(length) bytes")
        }
    } catch {
        precondition((400..<500).contains(error.status), "a refusal must be a 4xx")
    }
    _ = BearerSecret.fuzzingSecret.accepts(authorization: parts.count > 2 ? parts[2] : target)
    return 0
}

extension BearerSecret {
    /// One secret for every run, so that inputs can try to match it.
    static let fuzzingSecret = BearerSecret(Secret(String(repeating: "ab", count: 32)))
}
