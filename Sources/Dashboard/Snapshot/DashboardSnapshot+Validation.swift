/// Why a snapshot from another process cannot be shown: the field and what is wrong with it.
public struct DashboardSnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where, e.g. `providers[0].breakerSince`.
    public let field: String
    public let problem: String

    public var description: String { "\(self.field): \(self.problem)" }
}

extension DashboardSnapshot {
    /// The latest time a snapshot may hold: 2200-01-01 in Unix nanoseconds (an `Int64` reaches 2262, and the
    /// dashboard subtracts times from one another).
    public static let latestTime: Int64 = 7_258_118_400_000_000_000
    /// The largest count or figure a snapshot may hold (rounds, requests, durations in milliseconds).
    public static let largestFigure: Double = 1e12

    /// The snapshot checked for what the dashboard computes with: every time between 1970 and 2200, the uptime
    /// under a century, counts and figures finite and not absurd. A snapshot that crossed a socket (`watch`
    /// attached to a daemon) goes through this before it is drawn. Its panels are dropped: the watching
    /// dashboard evaluates its own.
    ///
    /// - Throws: ``DashboardSnapshotError`` naming the first field out of range.
    public func validated() throws(DashboardSnapshotError) -> DashboardSnapshot {
        try Self.time(self.now, "now")
        guard self.uptime >= .zero, self.uptime <= .seconds(3_153_600_000) else {
            throw DashboardSnapshotError(field: "uptime", problem: "not between 0 and a century")
        }
        guard abs(self.utcOffsetSeconds) <= 86_400 else {
            throw DashboardSnapshotError(field: "utcOffsetSeconds", problem: "\(self.utcOffsetSeconds) is over a day")
        }
        for (index, row) in self.providers.enumerated() {
            let at = "providers[\(index)]."
            try Self.time(row.breakerSince, at + "breakerSince")
            for (name, value) in [
                ("expiresAt", row.expiresAt), ("issuedAt", row.issuedAt), ("advisoryAt", row.advisoryAt),
                ("mandatoryAt", row.mandatoryAt), ("lastSuccessAt", row.lastSuccessAt),
                ("fleetLock.since", row.fleetLock?.since), ("emergency.since", row.emergency?.since),
            ] {
                if let value { try Self.time(value, at + name) }
            }
            for (name, value) in [("lifetimeSeconds", row.lifetimeSeconds), ("skewSeconds", row.skewSeconds)] {
                if let value { try Self.figure(value, at + name) }
            }
            for (name, value) in [
                ("consecutiveFailures", row.consecutiveFailures), ("rounds", row.rounds),
                ("failedRounds", row.failedRounds),
            ] {
                try Self.count(value, at + name)
            }
            for (changeIndex, change) in row.breakerHistory.enumerated() {
                try Self.time(change.time, at + "breakerHistory[\(changeIndex)].time")
            }
            for (endpointIndex, endpoint) in row.endpoints.enumerated() {
                for (outcomeIndex, outcome) in endpoint.outcomes.enumerated() {
                    let place = at + "endpoints[\(endpointIndex)].outcomes[\(outcomeIndex)]."
                    try Self.time(outcome.time, place + "time")
                    if let duration = outcome.durationMilliseconds { try Self.figure(duration, place + "durationMilliseconds") }
                }
            }
        }
        for (index, row) in self.consumers.enumerated() {
            if let since = row.since { try Self.time(since, "consumers[\(index)].since") }
            if let last = row.lastAt { try Self.time(last, "consumers[\(index)].lastAt") }
            if let requests = row.requests { try Self.count(requests, "consumers[\(index)].requests") }
        }
        for (index, row) in self.alerts.enumerated() {
            try Self.time(row.since, "alerts[\(index)].since")
        }
        for (index, row) in self.events.enumerated() {
            try Self.time(row.time, "events[\(index)].time")
        }
        var checked = self
        checked.panels = []
        return checked
    }

    private static func time(_ value: Int64, _ field: String) throws(DashboardSnapshotError) {
        guard value >= 0, value <= Self.latestTime else {
            throw DashboardSnapshotError(field: field, problem: "\(value) is not a time between 1970 and 2200")
        }
    }

    private static func figure(_ value: Double, _ field: String) throws(DashboardSnapshotError) {
        guard value.isFinite, abs(value) <= Self.largestFigure else {
            throw DashboardSnapshotError(field: field, problem: "\(value) is not a finite figure under 1e12")
        }
    }

    private static func count(_ value: Int, _ field: String) throws(DashboardSnapshotError) {
        guard value >= 0, Double(value) <= Self.largestFigure else {
            throw DashboardSnapshotError(field: field, problem: "\(value) is not a count between 0 and 1e12")
        }
    }
}
