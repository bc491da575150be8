import Primitives
import Synchronization

/// The refresh token a round's refused response rotated to, shared between the round (which sends it in
/// later attempts) and the session (which keeps it when the round fails).
final class RotatedRefreshToken: Sendable {
    private let token = Mutex<Secret?>(nil)

    var value: Secret? { self.token.withLock { $0 } }

    func keep(_ token: Secret) { self.token.withLock { $0 = token } }
}
