import Logging

/// What the fetching and approving entries of a provider's fallback chain need from the manager.
struct FallbackEnvironment: Sendable {
    /// The provider whose chain it is (policies, endpoints, refresh windows).
    var provider: ProviderConfiguration
    /// The manager's transport: fallback requests use the same HTTP client as OAuth.
    var transport: any TokenEndpointTransport
    var clock: WallClock
    var random: RandomSource
    var events: TokenEventBus
    var logger: Logger
}
