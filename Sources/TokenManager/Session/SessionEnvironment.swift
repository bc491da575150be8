import Logging

/// Everything the manager shares with its sessions.
struct SessionEnvironment: Sendable {
    var transport: any TokenEndpointTransport
    var clock: WallClock
    var random: RandomSource
    var events: TokenEventBus
    var logger: Logger
    /// Called after every successful round so the store is written.
    var persist: @Sendable () async -> Void
    /// Called after every successful round with the provider's name and the time, so a fallback
    /// in use ends.
    var refreshed: @Sendable (_ provider: String, _ at: Int64) -> Void = { _, _ in }
    /// Consulted around every round when the process is part of a fleet; `nil` refreshes in process only.
    var coordinator: (any RefreshCoordinator)? = nil
    /// Reads the provider's entry in the token store as it is now (another manager sharing the file may
    /// have rotated the refresh token); `nil` without a store.
    var storedToken: (@Sendable (_ provider: String) -> StoredToken?)? = nil
}
