import Synchronization
import TokenManager

/// Serves validation documents from memory: a `GET` of a known URL gets its body, anything else 404, and
/// POSTs (introspection) get the answer of `post`. Counts requests per URL.
final class DocumentTransport: TokenEndpointTransport {
    private let documents: Mutex<[String: (status: Int, body: String)]>
    private let counts = Mutex<[String: Int]>([:])
    private let requests = Mutex<[TokenEndpointRequest]>([])
    let post: @Sendable (TokenEndpointRequest) -> (status: Int, body: String)

    init(
        _ documents: [String: String] = [:],
        post: @escaping @Sendable (TokenEndpointRequest) -> (status: Int, body: String) = { _ in (404, "") }
    ) {
        self.documents = Mutex(documents.mapValues { (200, $0) })
        self.post = post
    }

    func set(_ url: String, _ body: String, status: Int = 200) {
        self.documents.withLock { $0[url] = (status, body) }
    }

    func count(_ url: String) -> Int { self.counts.withLock { $0[url] ?? 0 } }

    var received: [TokenEndpointRequest] { self.requests.withLock { $0 } }

    func send(_ request: TokenEndpointRequest, timeout: TimeoutStep) async throws(AttemptFailure) -> TokenEndpointResponse {
        self.counts.withLock { $0[request.url, default: 0] += 1 }
        self.requests.withLock { $0.append(request) }
        if request.method != "GET" {
            let answer = self.post(request)
            return TokenEndpointResponse(status: answer.status, headers: [], body: Array(answer.body.utf8))
        }
        guard let document = self.documents.withLock({ $0[request.url] }) else {
            return TokenEndpointResponse(status: 404, headers: [], body: Array("not found".utf8))
        }
        return TokenEndpointResponse(status: document.status, headers: [], body: Array(document.body.utf8))
    }

    func shutdown() async {}
}
