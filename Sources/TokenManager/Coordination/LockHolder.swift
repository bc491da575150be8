/// The process that holds a provider's fleet lock, for the dashboard and status commands.
public struct LockHolder: Sendable, Hashable, CustomStringConvertible {
    /// The holder's instance id (`coordination.instance_id`, or one made at start).
    public var instanceID: String
    /// The holder's host name.
    public var host: String
    /// When it acquired the lock, in Unix nanoseconds on its own clock.
    public var since: Int64

    public init(instanceID: String, host: String, since: Int64) {
        self.instanceID = instanceID
        self.host = host
        self.since = since
    }

    public var description: String { "\(self.instanceID)@\(self.host)" }
}
