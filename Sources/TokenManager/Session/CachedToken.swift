/// A token the session holds, with its refresh windows.
///
/// Why it exists: the session decides from it, under its lock, whether a caller gets the token or
/// waits (the windows, already jittered), and counts expiries of handed-out tokens; none of that
/// belongs in the caller's ``AccessToken``, which it wraps.
struct CachedToken: Sendable {
    var access: AccessToken
    var windows: RefreshWindows
    /// When it was obtained (Unix nanoseconds).
    var obtainedAt: Int64
    /// The issued lifetime (`expires_in`, or `exp - iat` as seen locally).
    var lifetime: Duration
    var endpoint: String
    var scope: String?
    /// Whether a caller has received it; an expiry after that counts as "expired during task".
    var handedOut = false
    var expiryCounted = false
}
