import TokenManager

/// Who asks for, holds or releases a lock: the lock key's value.
///
/// The value is `INSTANCE HOST SINCE_MS` (spaces in the id or host replaced by `_`). It is unique per
/// grant (the acquisition time is part of it), so a process that releases late never frees a later
/// grant of its own, and the whole value is what renewal and release compare.
public struct LockOwner: Sendable, Hashable, CustomStringConvertible {
    /// The holder as the dashboard shows it.
    public let holder: LockHolder

    /// - Parameters:
    ///   - instanceID: The process's instance id.
    ///   - host: Its host name.
    ///   - since: When it asks for the lock, in Unix nanoseconds (kept to the millisecond).
    public init(instanceID: String, host: String, since: Int64) {
        self.holder = LockHolder(
            instanceID: Self.word(instanceID), host: Self.word(host), since: since / 1_000_000 * 1_000_000
        )
    }

    /// The value stored in the lock key.
    public var value: String { "\(self.holder.instanceID) \(self.holder.host) \(self.holder.since / 1_000_000)" }

    /// Reads a lock key's value; `nil` when it is not one this protocol wrote (never a crash).
    public init?(value: String) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let millis = Int64(parts[2]),
            millis >= 0, millis <= Int64.max / 1_000_000
        else { return nil }
        self.holder = LockHolder(instanceID: String(parts[0]), host: String(parts[1]), since: millis * 1_000_000)
    }

    public var description: String { self.value }

    private static func word(_ text: String) -> String {
        let cleaned = String(text.map { $0 == " " || $0.isNewline || $0 == "\t" ? "_" : $0 })
        return cleaned.isEmpty ? "_" : cleaned
    }
}
