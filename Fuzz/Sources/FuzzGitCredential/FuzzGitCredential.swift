import OAuthTopRuntime
import Primitives

/// Feeds bytes to the git credential helper's input parser (`GitCredentialRequest.parse`) and formats
/// a reply for what it parsed: every input gives attributes or a `CredentialHelperError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGitCredential(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    do {
        let request = try GitCredentialRequest.parse(bytes)
        for attribute in request.attributes {
            precondition(!attribute.key.isEmpty, "an empty key was accepted")
            let newline = UInt8(ascii: "\n")
            precondition(!attribute.key.utf8.contains(newline) && !attribute.value.utf8.contains(newline), "a newline")
        }
        let reply = GitCredentialReply(username: request.username ?? "u", password: Secret("t"), expiryUnixSeconds: 1)
        _ = try? reply.formatted()
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
