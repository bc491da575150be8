import Foundation

/// The aggregation operators (`sum by (provider) (...)`), grouping as Prometheus does: `by` keeps the
/// listed labels, `without` drops them and the metric name.
enum Aggregation {
    private struct Group {
        var labels: Labels
        var count = 0
        var sum = 0.0
        var compensation = 0.0
        var mean = 0.0
        var varianceSum = 0.0
        var value = Double.nan
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
        group.count += 1
        switch op {
        case .sum, .avg:
            (group.sum, group.compensation) = Kahan.add(value, to: group.sum, compensation: group.compensation)
            group.mean += (value - group.mean) / Double(group.count)
        case .min:
            if group.value.isNaN || value < group.value {
                group.value = value
            }
        case .max:
            if group.value.isNaN || value > group.value {
                group.value = value
            }
        case .stddev, .stdvar:
            let delta = value - group.mean
            group.mean += delta / Double(group.count)
            group.varianceSum += delta * (value - group.mean)
        case .count, .group:
            break
        case .topk, .bottomk, .quantile:
            group.elements.append(element)
        }
    }

    private static func finish(_ op: AggregationOperator, _ group: Group, parameter: Double?) -> [VectorElement] {
        let labels = group.labels
        switch op {
        case .sum: return [VectorElement(labels: labels, value: group.sum + group.compensation)]
        case .avg:
            let total = group.sum + group.compensation
            return [VectorElement(labels: labels, value: total.isFinite ? total / Double(group.count) : group.mean)]
        case .min, .max: return [VectorElement(labels: labels, value: group.value)]
        case .count: return [VectorElement(labels: labels, value: Double(group.count))]
        case .group: return [VectorElement(labels: labels, value: 1)]
        case .stdvar: return [VectorElement(labels: labels, value: group.varianceSum / Double(group.count))]
        case .stddev:
            return [VectorElement(labels: labels, value: (group.varianceSum / Double(group.count)).squareRoot())]
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
        let sorted = values.sorted()
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, Int(rank.rounded(.down)))
        let upper = Swift.min(sorted.count - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
