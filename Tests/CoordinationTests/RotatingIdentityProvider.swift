import OAuthTopTestKit
import Synchronization
import TokenManager

/// A token endpoint that rotates the refresh token on every use with no reuse interval, as the issue's
/// demo identity provider does: `r0` is the first refresh token, refresh `n` issues access token `an`
/// and refresh token `rn`, and any other refresh token gets `invalid_grant`.
final class RotatingIdentityProvider: TokenEndpointTransport {
    private struct State {
        var current = "r0"
        var issued = 0
        var invalidGrants = 0
        var hold: Gate?
    }

    private let state = Mutex(State())
    let lifetime: Int

    init(lifetime: Int = 100) {
        self.lifetime = lifetime
    }

    /// Successful refreshes so far.
    var refreshes: Int { self.state.withLock { $0.issued } }
    /// Requests refused with `invalid_grant`.
    var invalidGrants: Int { self.state.withLock { $0.invalidGrants } }

    /// The next request waits for `gate` before its refresh token is checked.
    func holdNext(_ gate: Gate) {
        self.state.withLock { $0.hold = gate }
    }

    func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse
    {
        let form = String(decoding: request.body, as: UTF8.self).split(separator: "&")
        let prefix = "refresh_token="
        let presented = form.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        let gate = self.state.withLock { state -> Gate? in
            defer { state.hold = nil }
            return state.hold
        }
        if let gate { await gate.wait() }
        let issued = self.state.withLock { state -> Int? in
            guard presented == state.current else {
                state.invalidGrants += 1
                return nil
            }
            state.issued += 1
            state.current = "r\(state.issued)"
            return state.issued
        }
        guard let issued else {
            let body = #"{"error":"invalid_grant","error_description":"refresh token already used"}"#
            return Self.json(400, body)
        }
        let body = #"{"access_token":"a\#(issued)","token_type":"Bearer","expires_in":\#(self.lifetime),"#
            + #""refresh_token":"r\#(issued)"}"#
        return Self.json(200, body)
    }

    private static func json(_ status: Int, _ body: String) -> TokenEndpointResponse {
        TokenEndpointResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }

    func shutdown() async {}
}
