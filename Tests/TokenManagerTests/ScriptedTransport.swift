import Synchronization

@testable import TokenManager

/// A transport that answers from a script, for exact tests of the manager's decisions.
/// Integration tests use the real demo identity provider instead.
final class ScriptedTransport: TokenEndpointTransport {
    enum Step: Sendable {
        case token(String, expiresIn: Int, refreshToken: String? = nil)
        case status(Int, body: String = "", headers: [(String, String)] = [])
        case fail(AttemptFailure.Kind)
    }

    struct Sent: Sendable {
        var url: String
        var timeout: TimeoutStep
        var body: String
    }

    private let script: Mutex<[Step]>
    private let log = Mutex<[Sent]>([])
    /// Suspends each request until released, to hold a round in flight.
    let gate: Gate?

    init(_ steps: [Step], gate: Gate? = nil) {
        self.script = Mutex(steps)
        self.gate = gate
    }

    var sent: [Sent] { self.log.withLock { $0 } }

    func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure)
        -> TokenEndpointResponse
    {
        self.log.withLock { $0.append(Sent(url: request.url, timeout: timeout, body: String(decoding: request.body, as: UTF8.self))) }
        if let gate { await gate.wait() }
        let step = self.script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch step {
        case .token(let value, let expiresIn, let refreshToken)?:
            var json = #"{"access_token":"\#(value)","token_type":"Bearer","expires_in":\#(expiresIn)"#
            if let refreshToken { json += #","refresh_token":"\#(refreshToken)""# }
            json += "}"
            return TokenEndpointResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        case .status(let status, let body, let headers)?:
            return TokenEndpointResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
        case .fail(let kind)?:
            throw AttemptFailure(kind: kind, code: kind == .timeout ? "timeout" : "connection_refused", detail: "scripted")
        case nil:
            throw AttemptFailure(kind: .connection, code: "connection_error", detail: "script exhausted")
        }
    }

    func shutdown() async {}
}

/// Holds callers until opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = self.state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    var waiting: Int { self.state.withLock { $0.waiters.count } }

    func open() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Collects events for assertions.
final class EventRecorder: Sendable {
    private let events = Mutex<[TokenEvent]>([])
    func record(_ event: TokenEvent) { self.events.withLock { $0.append(event) } }
    var all: [TokenEvent] { self.events.withLock { $0 } }
    func kinds(_ kind: TokenEvent.Kind) -> [TokenEvent] { self.all.filter { $0.kind == kind } }
    var breakerStates: [String] {
        self.kinds(.breakerTransition).compactMap { event in
            if case .string(let to)? = event["to"] { return to }
            return nil
        }
    }
}

/// Polls `condition` until it holds or the deadline passes.
func eventually(
    timeout: Duration = .seconds(10),
    _ condition: @Sendable () async -> Bool
) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if await condition() { return true }
        try? await clock.sleep(for: .milliseconds(10))
    }
    return await condition()
}
