/// Who holds a provider's fleet lock (Redis coordination), as last seen by the process the dashboard
/// reads: the instance id, its host, and since when.
public struct FleetLock: Sendable, Hashable, Codable {
    public var instanceID: String
    public var host: String
    /// When the holder asked for the lock (Unix nanoseconds).
    public var since: Int64

    public init(instanceID: String, host: String, since: Int64) {
        self.instanceID = instanceID
        self.host = host
        self.since = since
    }
}
