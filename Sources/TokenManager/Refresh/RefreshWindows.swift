/// The instants at which a token enters its advisory and mandatory windows, and expires.
///
/// All values are wall time in Unix nanoseconds on the manager's axis (skew already applied).
public struct RefreshWindows: Sendable, Hashable {
    /// From here on the background refresher renews the token; callers keep using it.
    public var advisoryAt: Int64
    /// From here on callers wait for a refresh and see its error.
    public var mandatoryAt: Int64
    /// The token is no longer valid from here on.
    public var expiresAt: Int64

    public init(advisoryAt: Int64, mandatoryAt: Int64, expiresAt: Int64) {
        self.advisoryAt = advisoryAt
        self.mandatoryAt = mandatoryAt
        self.expiresAt = expiresAt
    }
}

extension RefreshPolicy {
    /// Sizes both windows from a token's lifetime.
    ///
    /// The mandatory window is `mandatoryFraction` of the lifetime, clamped to
    /// `minMandatory ... maxMandatory` and never longer than the lifetime; the advisory window
    /// is `advisoryFraction` of the lifetime clamped to `maxAdvisory`, never shorter than the
    /// mandatory one, then widened by a random share (up to `jitterFraction`) of the lifetime so
    /// tokens obtained together are not renewed together.
    ///
    /// - Parameters:
    ///   - obtainedAt: When the token was obtained (Unix nanoseconds).
    ///   - expiresAt: When it expires (Unix nanoseconds).
    ///   - random: A uniform value in `0 ..< 1` for the jitter.
    /// - Returns: The windows; a token with no lifetime left is mandatory at once.
    public func windows(obtainedAt: Int64, expiresAt: Int64, random: Double) -> RefreshWindows {
        let lifetime = max(0, expiresAt - obtainedAt)
        let life = Double(lifetime)
        var mandatory = Int64(life * self.mandatoryFraction)
        mandatory = min(mandatory, self.maxMandatory.nanoseconds)
        mandatory = max(mandatory, self.minMandatory.nanoseconds)
        mandatory = min(mandatory, lifetime)
        var advisory = Int64(life * self.advisoryFraction)
        advisory = min(advisory, self.maxAdvisory.nanoseconds)
        advisory += Int64(life * self.jitterFraction * random)
        advisory = min(max(advisory, mandatory), lifetime)
        return RefreshWindows(
            advisoryAt: expiresAt - advisory,
            mandatoryAt: expiresAt - mandatory,
            expiresAt: expiresAt
        )
    }
}

extension RetryPolicy {
    /// Full-jitter exponential backoff before retry number `retry` (1 for the first retry).
    ///
    /// A random duration in `0 ..< min(maxDelay, baseDelay * 2^(retry-1))`, as in AWS's
    /// "Exponential Backoff and Jitter".
    public func backoff(retry: Int, random: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(self.maxDelay.seconds, self.baseDelay.seconds * Double(1 << exponent))
        return .nanoseconds(Int64(ceiling * random * 1e9))
    }
}
