import TokenManager

extension ConfigurationParser {
    func refreshPolicy(_ field: YAMLField) -> RefreshPolicy? {
        let keys = ["advisory", "mandatory", "jitter", "max_advisory", "max_mandatory", "min_mandatory"]
        guard let map = self.reader.mapping(field, allowedKeys: keys) else { return nil }
        var policy = RefreshPolicy()
        var valid = true
        func read<Value>(
            _ key: String,
            _ parse: (YAMLField) -> Value?,
            into path: WritableKeyPath<RefreshPolicy, Value>
        ) {
            guard let value = map[key] else { return }
            if let parsed = parse(value) { policy[keyPath: path] = parsed } else { valid = false }
        }
        read("advisory", self.reader.fraction, into: \.advisoryFraction)
        read("mandatory", self.reader.fraction, into: \.mandatoryFraction)
        read("jitter", self.reader.fraction, into: \.jitterFraction)
        read("max_advisory", { self.reader.duration($0) }, into: \.maxAdvisory)
        read("max_mandatory", { self.reader.duration($0) }, into: \.maxMandatory)
        read("min_mandatory", { self.reader.duration($0) }, into: \.minMandatory)
        guard valid else { return nil }
        if policy.mandatoryFraction > policy.advisoryFraction {
            self.reader.error(
                "the mandatory window (\(Self.percent(policy.mandatoryFraction))) must not be larger than the "
                    + "advisory window (\(Self.percent(policy.advisoryFraction)))",
                at: map["mandatory"] ?? map["advisory"] ?? field
            )
            return nil
        }
        if policy.minMandatory > policy.maxMandatory {
            self.reader.error(
                "must not be longer than max_mandatory (\(DurationSyntax.format(policy.maxMandatory)))",
                at: map["min_mandatory"] ?? map["max_mandatory"] ?? field
            )
            return nil
        }
        return policy
    }

    func retryPolicy(_ field: YAMLField) -> RetryPolicy? {
        let keys = ["max_attempts", "base_delay", "max_delay", "max_retry_after"]
        guard let map = self.reader.mapping(field, allowedKeys: keys) else { return nil }
        var policy = RetryPolicy()
        var valid = true
        if let value = map["max_attempts"] {
            if let attempts = self.reader.int(value, in: 1...Int.max) {
                policy.maxAttempts = attempts
            } else {
                valid = false
            }
        }
        for (key, path) in [
            ("base_delay", \RetryPolicy.baseDelay), ("max_delay", \.maxDelay), ("max_retry_after", \.maxRetryAfter),
        ] {
            guard let value = map[key] else { continue }
            if let duration = self.reader.duration(value) { policy[keyPath: path] = duration } else { valid = false }
        }
        guard valid else { return nil }
        if policy.maxDelay < policy.baseDelay {
            self.reader.error(
                "must not be shorter than base_delay (\(DurationSyntax.format(policy.baseDelay)))",
                at: map["max_delay"] ?? map["base_delay"] ?? field
            )
            return nil
        }
        return policy
    }

    func timeoutLadder(_ field: YAMLField) -> TimeoutLadder? {
        guard let items = self.reader.sequence(field, expected: "a list of {connect: DURATION, total: DURATION}")
        else { return nil }
        guard !items.isEmpty else {
            self.reader.error("at least one step is required", at: field)
            return nil
        }
        let steps = items.map(self.timeoutStep)
        return steps.contains(nil) ? nil : TimeoutLadder(steps: steps.compactMap { $0 })
    }

    func timeoutStep(_ field: YAMLField) -> TimeoutStep? {
        guard let map = self.reader.mapping(field, allowedKeys: ["connect", "total"], context: "a timeouts step")
        else { return nil }
        let connect = map.required("connect") { self.reader.duration($0, positive: true) }
        let total = map.required("total") { self.reader.duration($0, positive: true) }
        guard let connect, let total else { return nil }
        if connect > total {
            let connectField = map["connect"] ?? field
            self.reader.error(
                "must not be longer than total (\(DurationSyntax.format(total))), "
                    + "found \(connectField.foundDescription)",
                at: connectField
            )
            return nil
        }
        return TimeoutStep(connect: connect, total: total)
    }

    func breakerPolicy(_ field: YAMLField) -> BreakerPolicy? {
        guard let map = self.reader.mapping(field, allowedKeys: ["failure_threshold", "cool_down"]) else { return nil }
        var policy = BreakerPolicy()
        var valid = true
        if let value = map["failure_threshold"] {
            if let threshold = self.reader.int(value, in: 1...Int.max) {
                policy.failureThreshold = threshold
            } else {
                valid = false
            }
        }
        if let value = map["cool_down"] {
            if let coolDown = self.reader.duration(value) { policy.coolDown = coolDown } else { valid = false }
        }
        return valid ? policy : nil
    }

    static func percent(_ fraction: Double) -> String {
        let percent = fraction * 100
        return percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
    }
}
