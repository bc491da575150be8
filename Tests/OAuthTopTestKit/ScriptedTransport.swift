import Synchronization
import TokenManager

/// A token endpoint transport that answers from a script, for exact tests of the manager's decisions.
/// Integration tests use the real demo identity provider instead.
public final class ScriptedTransport: TokenEndpointTransport {
    /// One scripted answer.
    public enum Step: Sendable {
        /// A 200 with a Bearer token.
        case token(String, expiresIn: Int, refreshToken: String? = nil)
        /// Any status, body and headers.
        case status(Int, body: String = "", headers: [(String, String)] = [])
        /// No response: a timeout, a refused connection or another connection failure.
        case fail(AttemptFailure.Kind)
    }

    /// One request the transport received.
    public struct Sent: Sendable {
        public var url: String
        public var timeout: TimeoutStep
        /// The form body (it carries secrets: compare, never print).
        public var body: String
    }

    private let script: Mutex<[Step]>
    private let log = Mutex<[Sent]>([])
    /// Suspends each request until opened, to hold a round in flight.
    public let gate: Gate?

    /// - Parameters:
    ///   - steps: The answers, in order; a request after the last one fails as a connection error.
    ///   - gate: When given, every request waits for it before answering.
    public init(_ steps: [Step], gate: Gate? = nil) {
        self.script = Mutex(steps)
        self.gate = gate
    }

    /// The requests received so far, in order.
    public var sent: [Sent] { self.log.withLock { $0 } }

    public func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse
    {
        let body = String(decoding: request.body, as: UTF8.self)
        self.log.withLock { $0.append(Sent(url: request.url, timeout: timeout, body: body)) }
        if let gate { await gate.wait() }
        let step = self.script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch step {
        case .token(let value, let expiresIn, let refreshToken)?:
            var json = #"{"access_token":"\#(value)","token_type":"Bearer","expires_in":\#(expiresIn)"#
            if let refreshToken { json += #","refresh_token":"\#(refreshToken)""# }
            json += "}"
            return TokenEndpointResponse(
                status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8)
            )
        case .status(let status, let body, let headers)?:
            return TokenEndpointResponse(
                status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)
            )
        case .fail(let kind)?:
            throw AttemptFailure(
                kind: kind, code: kind == .timeout ? "timeout" : "connection_refused", detail: "scripted"
            )
        case nil:
            throw AttemptFailure(kind: .connection, code: "connection_error", detail: "script exhausted")
        }
    }

    public func shutdown() async {}
}
