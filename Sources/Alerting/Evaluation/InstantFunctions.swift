import Foundation

/// Functions applied element by element to an instant vector (`abs`, `round`, `clamp_min`, ...). They drop
/// the metric name, as in Prometheus.
enum InstantFunctions {
    static func apply(_ function: Function, _ elements: [VectorElement], _ scalars: [Double]) -> [VectorElement] {
        if function == .clamp, scalars.count == 2, scalars[1] < scalars[0] {
            return []
        }
        return elements.map { element in
            VectorElement(
                labels: element.labels.droppingMetricName,
                value: self.value(function, element.value, scalars)
            )
        }
    }

    private static func value(_ function: Function, _ value: Double, _ scalars: [Double]) -> Double {
        switch function {
        case .abs: return Swift.abs(value)
        case .ceil: return value.rounded(.up)
        case .floor: return value.rounded(.down)
        case .exp: return Foundation.exp(value)
        case .ln: return Foundation.log(value)
        case .log2: return Foundation.log2(value)
        case .log10: return Foundation.log10(value)
        case .sqrt: return value.squareRoot()
        case .sgn: return value > 0 ? 1 : value < 0 ? -1 : value
        case .round:
            // Prometheus rounds half up, to the nearest multiple of the optional second argument.
            let inverse = 1 / (scalars.first ?? 1)
            return ((value * inverse) + 0.5).rounded(.down) / inverse
        // Prometheus's `clamp` (clamp_min and clamp_max are clamp with an infinite other bound), with Go's
        // `math.Max`/`math.Min`: NaN in, NaN out.
        case .clamp: return self.goMax(scalars[0], self.goMin(scalars[1], value))
        case .clampMin: return self.goMax(scalars[0], self.goMin(.infinity, value))
        case .clampMax: return self.goMax(-.infinity, self.goMin(scalars[0], value))
        default: return value
        }
    }

    /// Go's `math.Max`: +Inf if either is +Inf, else NaN if either is NaN; +0 over -0.
    static func goMax(_ x: Double, _ y: Double) -> Double {
        if x == .infinity || y == .infinity {
            return .infinity
        }
        if x.isNaN || y.isNaN {
            return .nan
        }
        if x == 0, x == y {
            return x.sign == .minus ? y : x
        }
        return x > y ? x : y
    }

    /// Go's `math.Min`: -Inf if either is -Inf, else NaN if either is NaN; -0 over +0.
    static func goMin(_ x: Double, _ y: Double) -> Double {
        if x == -.infinity || y == -.infinity {
            return -.infinity
        }
        if x.isNaN || y.isNaN {
            return .nan
        }
        if x == 0, x == y {
            return x.sign == .minus ? x : y
        }
        return x < y ? x : y
    }
}
