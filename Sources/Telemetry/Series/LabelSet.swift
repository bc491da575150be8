/// The labels of one series: sorted by name, names unique (the last value given for a name wins).
struct LabelSet: Hashable, Sendable, Comparable {
    let pairs: [LabelPair]

    static let empty = LabelSet(sortedUnique: [])

    private init(sortedUnique pairs: [LabelPair]) {
        self.pairs = pairs
    }

    /// Builds a label set from swift-metrics dimensions, sanitizing names.
    ///
    /// - Parameter reserved: Label names the family uses itself (`le` for histograms): a dimension with such
    ///   a name is renamed with a leading underscore instead of clashing.
    init(dimensions: [(String, String)], reserved: Set<String> = []) {
        var byName: [String: String] = [:]
        for (rawName, value) in dimensions {
            var name = MetricName.sanitizeLabelName(rawName)
            if reserved.contains(name) {
                name = "_" + name
            }
            byName[name] = value
        }
        self.init(sortedUnique: byName.map { LabelPair(name: $0.key, value: $0.value) }.sorted())
    }

    /// Builds a label set from a dictionary (query side: names are taken as they are).
    init(_ labels: [String: String]) {
        self.init(sortedUnique: labels.map { LabelPair(name: $0.key, value: $0.value) }.sorted())
    }

    /// This set with one more label appended after the others, as Prometheus clients place `le` last.
    func appending(_ name: String, _ value: String) -> [LabelPair] {
        self.pairs + [LabelPair(name: name, value: value)]
    }

    var dictionary: [String: String] {
        Dictionary(self.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    static func < (lhs: LabelSet, rhs: LabelSet) -> Bool {
        lhs.pairs.lexicographicallyPrecedes(rhs.pairs)
    }
}
