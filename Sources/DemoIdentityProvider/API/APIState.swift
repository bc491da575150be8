/// The protected API's share of the provider's state (``ProviderState/api``).
struct APIState: Sendable {
    var quotaWindow = QuotaWindow()
    var statistics = DemoAPIStatistics()
    /// The latest requests, oldest first, at most the configured capacity.
    private(set) var log: [DemoAPIRequest] = []

    /// Counts an answered request and keeps it in the log.
    mutating func record(_ request: DemoAPIRequest, capacity: Int) {
        self.statistics.record(request.outcome, model: request.model)
        guard capacity > 0 else { return }
        if self.log.count >= capacity {
            // Drop the oldest tenth at once, so a full log does not shift on every request.
            self.log.removeFirst(max(1, min(self.log.count, capacity / 10)))
        }
        self.log.append(request)
    }
}
