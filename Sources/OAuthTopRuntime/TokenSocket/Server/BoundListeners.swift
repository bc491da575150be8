import Synchronization

/// Collects the listeners of a ``TokenSocketServer`` as they bind, so that it reports where it
/// listens once, when all are bound.
final class BoundListeners: Sendable {
    private struct State {
        var unixPath: String?
        var secretFile: String?
        var tcpURL: String?
        var reported = false
    }

    private let expected: Int
    private let state = Mutex(State())

    init(expected: Int) {
        self.expected = expected
    }

    func bind(unix path: String, secretFile: String) -> TokenSocketServer.Listening? {
        self.state.withLock { state in
            state.unixPath = path
            state.secretFile = self.expected > 1 ? secretFile : nil
            return self.complete(&state)
        }
    }

    func bind(tcpURL url: String) -> TokenSocketServer.Listening? {
        self.state.withLock { state in
            state.tcpURL = url
            return self.complete(&state)
        }
    }

    private func complete(_ state: inout State) -> TokenSocketServer.Listening? {
        let count = (state.unixPath == nil ? 0 : 1) + (state.tcpURL == nil ? 0 : 1)
        guard count == self.expected, !state.reported, let path = state.unixPath else { return nil }
        state.reported = true
        return TokenSocketServer.Listening(path: path, tcpURL: state.tcpURL, secretFile: state.secretFile)
    }
}
