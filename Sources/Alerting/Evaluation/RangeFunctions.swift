import Foundation
import Telemetry

/// The functions over a range of samples (`rate`, `increase`, `*_over_time`, ...), one series at a time,
/// reading the samples in place. Staleness markers are skipped as Prometheus drops them from ranges.
enum RangeFunctions {
    /// The function's value over `window`, or `nil` when it has none (too few samples).
    ///
    /// - Parameters:
    ///   - rangeStart: The window's excluded left edge, milliseconds.
    ///   - rangeEnd: The window's included right edge, milliseconds.
    static func apply(
        _ function: Function,
        _ window: SampleWindow,
        rangeStart: Int64,
        rangeEnd: Int64,
        parameter: Double? = nil,
        evaluationTime: Int64 = 0
    ) -> Double? {
        switch function {
        case .quantileOverTime: self.quantileOverTime(parameter ?? .nan, window)
        case .stddevOverTime, .stdvarOverTime:
            self.variance(window).map { function == .stddevOverTime ? $0.squareRoot() : $0 }
        case .deriv: self.linearRegression(window, interceptTime: nil).map(\.slope)
        case .predictLinear:
            self.linearRegression(window, interceptTime: evaluationTime).map {
                $0.slope * (parameter ?? 0) + $0.intercept
            }
        case .rate: self.extrapolatedRate(window, rangeStart, rangeEnd, isCounter: true, isRate: true)
        case .increase: self.extrapolatedRate(window, rangeStart, rangeEnd, isCounter: true, isRate: false)
        case .delta: self.extrapolatedRate(window, rangeStart, rangeEnd, isCounter: false, isRate: false)
        case .irate: self.instantValue(window, isRate: true)
        case .idelta: self.instantValue(window, isRate: false)
        default: self.overTime(function, window)
        }
    }

    static func hasSample(_ window: SampleWindow) -> Bool {
        self.firstIndex(window) != nil
    }

    private static func firstIndex(_ window: SampleWindow) -> Int? {
        var index = 0
        while index < window.count {
            if !StaleMarker.isStale(window.value(index)) {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func lastIndex(_ window: SampleWindow) -> Int? {
        var index = window.count - 1
        while index >= 0 {
            if !StaleMarker.isStale(window.value(index)) {
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Prometheus's `extrapolatedRate`, for float samples.
    private static func extrapolatedRate(
        _ window: SampleWindow,
        _ rangeStart: Int64,
        _ rangeEnd: Int64,
        isCounter: Bool,
        isRate: Bool
    ) -> Double? {
        guard let first = self.firstIndex(window), let last = self.lastIndex(window), last > first else {
            return nil
        }
        let firstValue = window.value(first)
        var result = window.value(last) - firstValue
        var samples = 0
        if isCounter, Self.isPlainIncreasing(window) {
            // No reset and no staleness marker (the common case): nothing to add back, every sample counts.
            samples = window.count
        } else if isCounter {
            var previous = firstValue
            var correction = 0.0
            window.forEachValueRun { values, stride, count in
                var offset = 0
                for _ in 0..<count {
                    let value = values[offset]
                    offset &+= stride
                    if value.isNaN, StaleMarker.isStale(value) {
                        continue
                    }
                    samples &+= 1
                    if value < previous {
                        correction += previous
                    }
                    previous = value
                }
            }
            result += correction
        } else {
            window.forEachValueRun { values, stride, count in
                var offset = 0
                for _ in 0..<count {
                    if !StaleMarker.isStale(values[offset]) {
                        samples &+= 1
                    }
                    offset &+= stride
                }
            }
        }
        guard samples >= 2 else { return nil }
        // Prometheus 3's `extrapolatedRate` (promql/functions.go), for float samples without start timestamps.
        let firstTime = window.timestamp(first)
        let lastTime = window.timestamp(last)
        let numSamplesMinusOne = Double(samples - 1)
        var durationToStart = Double(firstTime - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - lastTime) / 1000
        let sampledInterval = Double(lastTime - firstTime) / 1000
        let averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne
        // Extrapolate to a boundary that is within 1.1 average intervals of the first or last sample; otherwise
        // assume the series starts or ends inside the range, half an interval beyond its samples.
        let extrapolationThreshold = averageDurationBetweenSamples * 1.1
        if durationToStart >= extrapolationThreshold {
            durationToStart = averageDurationBetweenSamples / 2
        }
        if isCounter, result > 0, firstValue >= 0 {
            // A counter cannot go below zero: do not extrapolate past the point where it would be zero. The cap
            // comes after the threshold, as in every Prometheus since 2.51 (2.42 capped first, so where the
            // first sample is far from the range's start and the zero point lies between half and 1.1 average
            // intervals before it, 2.42 extrapolates to the zero point and Prometheus 3 by half an interval).
            let durationToZero = sampledInterval * (firstValue / result)
            if durationToZero < durationToStart {
                durationToStart = durationToZero
            }
        }
        if durationToEnd >= extrapolationThreshold {
            durationToEnd = averageDurationBetweenSamples / 2
        }
        var factor = 1.0
        if sampledInterval != 0 {
            factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        }
        if isRate {
            factor /= Double(rangeEnd - rangeStart) / 1000
        }
        return result * factor
    }

    /// Whether a window's values never decrease and hold no NaN (so no staleness marker), checked eight
    /// values at a time with SIMD compares. Contiguous runs only (counters); a strided channel answers
    /// `false` and takes the general path.
    static func isPlainIncreasing(_ window: SampleWindow) -> Bool {
        var plain = true
        // The value before the current run: the previous run's last one.
        var previous = -Double.infinity
        window.forEachValueRun { values, stride, count in
            guard plain, count > 0 else { return }
            guard stride == 1, values[0] >= previous else {
                plain = false
                return
            }
            let raw = UnsafeRawPointer(values)
            var index = 0
            // Pairs (index ..< index + 8, index + 1 ... index + 8); `later >= earlier` is false for a
            // decrease and for any NaN.
            while index + 9 <= count {
                let earlier = raw.loadUnaligned(fromByteOffset: index * 8, as: SIMD8<Double>.self)
                let later = raw.loadUnaligned(fromByteOffset: (index + 1) * 8, as: SIMD8<Double>.self)
                if any(.!(later .>= earlier)) {
                    plain = false
                    return
                }
                index += 8
            }
            while index + 1 < count {
                guard values[index + 1] >= values[index] else {
                    plain = false
                    return
                }
                index += 1
            }
            previous = values[count - 1]
        }
        return plain
    }

    /// The non-stale values of a window.
    private static func values(_ window: SampleWindow) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(window.count)
        for index in 0..<window.count where !StaleMarker.isStale(window.value(index)) {
            values.append(window.value(index))
        }
        return values
    }

    private static func quantileOverTime(_ q: Double, _ window: SampleWindow) -> Double? {
        let values = self.values(window)
        return values.isEmpty ? nil : Aggregation.quantile(q, values)
    }

    /// The population variance, with Kahan-compensated running sums as Prometheus 3 computes it.
    private static func variance(_ window: SampleWindow) -> Double? {
        var count = 0.0
        var mean = 0.0
        var meanCompensation = 0.0
        var aux = 0.0
        var auxCompensation = 0.0
        for value in self.values(window) {
            count += 1
            let delta = value - (mean + meanCompensation)
            (mean, meanCompensation) = Kahan.add(delta / count, to: mean, compensation: meanCompensation)
            (aux, auxCompensation) = Kahan.add(
                delta * (value - (mean + meanCompensation)), to: aux, compensation: auxCompensation
            )
        }
        return count > 0 ? (aux + auxCompensation) / count : nil
    }

    /// Least-squares slope (per second) and intercept at `interceptTime` (the first sample's time when `nil`),
    /// as Prometheus's `linearRegression`: a constant series has slope 0.
    private static func linearRegression(
        _ window: SampleWindow,
        interceptTime: Int64?
    ) -> (slope: Double, intercept: Double)? {
        var points: [(time: Int64, value: Double)] = []
        for index in 0..<window.count where !StaleMarker.isStale(window.value(index)) {
            points.append((window.timestamp(index), window.value(index)))
        }
        guard points.count >= 2 else { return nil }
        let origin = interceptTime ?? points[0].time
        var n = 0.0
        var sumX = 0.0, compensationX = 0.0
        var sumY = 0.0, compensationY = 0.0
        var sumXY = 0.0, compensationXY = 0.0
        var sumX2 = 0.0, compensationX2 = 0.0
        let initialY = points[0].value
        var constantY = true
        for (index, point) in points.enumerated() {
            if constantY, index > 0, point.value != initialY {
                constantY = false
            }
            n += 1
            let x = Double(point.time - origin) / 1e3
            (sumX, compensationX) = Kahan.add(x, to: sumX, compensation: compensationX)
            (sumY, compensationY) = Kahan.add(point.value, to: sumY, compensation: compensationY)
            (sumXY, compensationXY) = Kahan.add(x * point.value, to: sumXY, compensation: compensationXY)
            (sumX2, compensationX2) = Kahan.add(x * x, to: sumX2, compensation: compensationX2)
        }
        if constantY {
            return initialY.isInfinite ? (.nan, .nan) : (0, initialY)
        }
        sumX += compensationX
        sumY += compensationY
        sumXY += compensationXY
        sumX2 += compensationX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    /// `irate` and `idelta`: from the last two samples.
    private static func instantValue(_ window: SampleWindow, isRate: Bool) -> Double? {
        guard let last = self.lastIndex(window) else { return nil }
        var previous = last - 1
        while previous >= 0, StaleMarker.isStale(window.value(previous)) {
            previous -= 1
        }
        guard previous >= 0 else { return nil }
        let lastValue = window.value(last)
        let previousValue = window.value(previous)
        var result = isRate && lastValue < previousValue ? lastValue : lastValue - previousValue
        let interval = window.timestamp(last) - window.timestamp(previous)
        guard interval > 0 else { return nil }
        if isRate {
            result /= Double(interval) / 1000
        }
        return result
    }

    private static func overTime(_ function: Function, _ window: SampleWindow) -> Double? {
        var count = 0
        var sum = 0.0
        var compensation = 0.0
        var mean = 0.0
        var incrementalMean = false
        var minimum = Double.nan
        var maximum = Double.nan
        var last = Double.nan
        var previous = Double.nan
        var resets = 0
        var changes = 0
        for index in 0..<window.count {
            let value = window.value(index)
            if StaleMarker.isStale(value) {
                continue
            }
            if count > 0 {
                if value < previous {
                    resets += 1
                }
                if value != previous, !(value.isNaN && previous.isNaN) {
                    changes += 1
                }
            }
            count += 1
            if function == .avgOverTime, count == 1 {
                sum = value
            } else if function == .avgOverTime {
                // Prometheus 3's `funcAvgOverTime`: a Kahan sum while it stays finite, then an incremental mean
                // from the sample that would overflow it (so +Inf among the samples gives +Inf, not NaN).
                if !incrementalMean {
                    let (newSum, newCompensation) = Kahan.add(value, to: sum, compensation: compensation)
                    if !newSum.isInfinite {
                        (sum, compensation) = (newSum, newCompensation)
                    } else {
                        incrementalMean = true
                        mean = sum / Double(count - 1)
                        compensation /= Double(count - 1)
                    }
                }
                if incrementalMean {
                    let q = Double(count - 1) / Double(count)
                    (mean, compensation) = Kahan.add(
                        value / Double(count), to: q * mean, compensation: q * compensation)
                }
            } else {
                (sum, compensation) = Kahan.add(value, to: sum, compensation: compensation)
            }
            if minimum.isNaN || value < minimum {
                minimum = value
            }
            if maximum.isNaN || value > maximum {
                maximum = value
            }
            last = value
            previous = value
        }
        guard count > 0 else { return nil }
        switch function {
        // `funcSumOverTime`: an infinite sum as it is (its compensation is meaningless).
        case .sumOverTime: return sum.isInfinite ? sum : sum + compensation
        case .avgOverTime:
            let n = Double(count)
            return incrementalMean ? mean + compensation : sum / n + compensation / n
        case .minOverTime: return minimum
        case .maxOverTime: return maximum
        case .countOverTime: return Double(count)
        case .lastOverTime: return last
        case .presentOverTime: return 1
        case .resets: return Double(resets)
        case .changes: return Double(changes)
        default: return nil
        }
    }
}

/// Kahan-Babuška summation, as Prometheus 3 sums.
enum Kahan {
    @inline(__always)
    static func add(_ value: Double, to sum: Double, compensation: Double) -> (Double, Double) {
        let total = sum + value
        var compensation = compensation
        if total.isInfinite {
            compensation = 0
        } else if Swift.abs(sum) >= Swift.abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        return (total, compensation)
    }
}
