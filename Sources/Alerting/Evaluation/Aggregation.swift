import Foundation

/// The aggregation operators (`sum by (provider) (...)`), grouping as Prometheus does: `by` keeps the
/// listed labels, `without` drops them and the metric name.
enum Aggregation {
    /// One output group's running state, as Prometheus 3's `groupedAggregation`: the first element sets it up
    /// (``start(_:_:)``), the others accumulate.
    private struct Group {
        var labels: Labels
        var count = 0
        /// `sum`'s and `avg`'s Kahan sum, `min`/`max`'s value, `stddev`/`stdvar`'s sum of squared deviations.
        var value = 0.0
        var compensation = 0.0
        var mean = 0.0
        /// `avg` switched to the incremental mean because the sum would overflow.
        var incrementalMean = false
        var elements: [VectorElement] = []
    }

    static func apply(
        _ op: AggregationOperator,
        _ elements: [VectorElement],
        parameter: Double?,
        grouping: [String],
        without: Bool
    ) -> [VectorElement] {
        var groups: [Labels: Group] = [:]
        var order: [Labels] = []
        let dropped = without ? grouping + [Labels.metricNameLabel] : []
        for element in elements {
            let key = without ? element.labels.removing(dropped) : element.labels.keeping(grouping)
            if groups[key] == nil {
                groups[key] = Group(labels: key)
                order.append(key)
            }
            self.accumulate(op, element, into: &groups[key]!)
        }
        var result: [VectorElement] = []
        for key in order {
            guard let group = groups[key] else { continue }
            result.append(contentsOf: self.finish(op, group, parameter: parameter))
        }
        return result
    }

    private static func accumulate(_ op: AggregationOperator, _ element: VectorElement, into group: inout Group) {
        let value = element.value
        guard group.count > 0 else {
            self.start(op, element, &group)
            return
        }
        group.count += 1
        switch op {
        case .sum:
            (group.value, group.compensation) = Kahan.add(value, to: group.value, compensation: group.compensation)
        case .avg:
            // Prometheus 3 (`aggregation` in promql/engine.go): a Kahan sum divided by the count while the sum
            // stays finite, and from the element that would overflow it on an incremental mean. So +Inf among
            // the inputs gives +Inf (a sum of +Inf and -Inf still gives NaN) and large finite values their mean.
            if !group.incrementalMean {
                let (sum, compensation) = Kahan.add(value, to: group.value, compensation: group.compensation)
                if !sum.isInfinite {
                    (group.value, group.compensation) = (sum, compensation)
                    return
                }
                group.incrementalMean = true
                group.mean = group.value / Double(group.count - 1)
                group.compensation /= Double(group.count - 1)
            }
            let count = Double(group.count)
            let q = (count - 1) / count
            (group.mean, group.compensation) = Kahan.add(
                value / count, to: q * group.mean, compensation: q * group.compensation)
        case .min:
            if group.value > value || group.value.isNaN {
                group.value = value
            }
        case .max:
            if group.value < value || group.value.isNaN {
                group.value = value
            }
        case .stddev, .stdvar:
            let delta = value - group.mean
            group.mean += delta / Double(group.count)
            group.value += delta * (value - group.mean)
        case .count, .group:
            break
        case .topk, .bottomk, .quantile:
            group.elements.append(element)
        }
    }

    /// The group's state after its first element.
    private static func start(_ op: AggregationOperator, _ element: VectorElement, _ group: inout Group) {
        let value = element.value
        group.count = 1
        group.value = value
        group.mean = value
        switch op {
        case .stddev, .stdvar:
            // Prometheus 3 starts the sum of squared deviations at NaN for an infinite first value.
            group.value = value.isNaN || value.isInfinite ? .nan : 0
        case .topk, .bottomk, .quantile:
            group.elements.append(element)
        default:
            break
        }
    }

    private static func finish(_ op: AggregationOperator, _ group: Group, parameter: Double?) -> [VectorElement] {
        let labels = group.labels
        let count = Double(group.count)
        switch op {
        case .sum: return [VectorElement(labels: labels, value: group.value + group.compensation)]
        case .avg:
            let mean =
                group.incrementalMean
                ? group.mean + group.compensation : group.value / count + group.compensation / count
            return [VectorElement(labels: labels, value: mean)]
        case .min, .max: return [VectorElement(labels: labels, value: group.value)]
        case .count: return [VectorElement(labels: labels, value: count)]
        case .group: return [VectorElement(labels: labels, value: 1)]
        case .stdvar: return [VectorElement(labels: labels, value: group.value / count)]
        case .stddev: return [VectorElement(labels: labels, value: (group.value / count).squareRoot())]
        case .quantile:
            return [VectorElement(labels: labels, value: self.quantile(parameter ?? .nan, group.elements.map(\.value)))]
        case .topk, .bottomk:
            guard let parameter, parameter >= 1, parameter.isFinite else { return [] }
            return self.selectK(
                Int(Swift.min(parameter, Double(group.elements.count))), group.elements, top: op == .topk)
        }
    }

    /// `topk`/`bottomk` as Prometheus selects them: a binary heap (Go's `container/heap`) of the k best seen
    /// so far, replaced only by a strictly better value, so among equal values the first in input order
    /// (label order) stays. NaN counts as the worst value.
    static func selectK(_ k: Int, _ elements: [VectorElement], top: Bool) -> [VectorElement] {
        guard k > 0 else { return [] }
        // "Less" puts the element to evict first on top of the heap.
        func less(_ lhs: VectorElement, _ rhs: VectorElement) -> Bool {
            if lhs.value.isNaN { return true }
            return top ? lhs.value < rhs.value : lhs.value > rhs.value
        }
        var heap: [VectorElement] = []
        heap.reserveCapacity(k)
        func up(_ start: Int) {
            var child = start
            while child > 0 {
                let parent = (child - 1) / 2
                guard less(heap[child], heap[parent]) else { break }
                heap.swapAt(parent, child)
                child = parent
            }
        }
        func down(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var child = left
                if left + 1 < heap.count, less(heap[left + 1], heap[left]) {
                    child = left + 1
                }
                guard less(heap[child], heap[parent]) else { break }
                heap.swapAt(parent, child)
                parent = child
            }
        }
        for element in elements {
            if heap.count < k {
                heap.append(element)
                up(heap.count - 1)
                continue
            }
            let worst = heap[0].value
            let better = top ? worst < element.value : worst > element.value
            if better || (worst.isNaN && !element.value.isNaN) {
                heap[0] = element
                if k > 1 {
                    down(0)
                }
            }
        }
        return heap
    }

    /// Prometheus's `quantile` aggregation: linear interpolation between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        guard !values.isEmpty, !q.isNaN else { return .nan }
        if q < 0 {
            return -.infinity
        }
        if q > 1 {
            return .infinity
        }
        // Go's sort with `vectorByValueHeap.Less`: NaN before every number.
        let sorted = values.sorted { $0.isNaN ? !$1.isNaN : $0 < $1 }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, Int(rank.rounded(.down)))
        let upper = Swift.min(sorted.count - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
