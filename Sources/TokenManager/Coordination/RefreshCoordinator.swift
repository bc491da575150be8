/// Coordinates refreshes of the same credentials across processes (a fleet sharing one lock and one
/// token state, e.g. through Redis).
///
/// A session consults it only around a refresh round: ``OAuthTokenManager/token(for:)-(ProviderID)``
/// still serves from memory. Without a coordinator (the default) a session refreshes on its own with
/// in-process single-flight. Implementations must never throw or trap on a broken fleet: they answer
/// ``CoordinationOutcome/unavailable`` and the session falls back to refreshing in process.
public protocol RefreshCoordinator: Sendable {
    /// Gives the coordinator the manager's event bus; called once, before any round.
    ///
    /// - Parameter events: Receives the coordinator's events (`coordination_down`, `coordination_up`,
    ///   `coordination_lock_lost`); it must not block.
    func attach(events: @escaping @Sendable (TokenEvent) -> Void)

    /// Decides how a round goes: adopt the fleet's newer token, skip, wait for the holder, or take the
    /// lock and call `refresh` (at most once) while holding it, then publish its result and release.
    ///
    /// - Parameters:
    ///   - request: The provider, the urgency, the generation the session knows.
    ///   - refresh: Runs the round against the identity provider with the lease's refresh token.
    /// - Returns: What the session does with its round.
    func coordinate(
        _ request: CoordinationRequest,
        refresh: @Sendable (CoordinationLease) async -> LocalRefreshResult
    ) async -> CoordinationOutcome

    /// The fleet's token when it is newer than `request.knownGeneration` and acceptable: asked after an
    /// `invalid_grant` in a round that ran without the lock, to tell a rotation by another process
    /// from a revoked grant. `nil` when there is none or the fleet cannot be read.
    func newerToken(than request: CoordinationRequest) async -> FleetToken?

    /// The last known holder of the provider's lock, without I/O; `nil` when unknown or free.
    func lockHolder(provider: String) -> LockHolder?
}
