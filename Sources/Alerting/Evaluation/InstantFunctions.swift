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
        case .clamp: return Swift.max(scalars[0], Swift.min(scalars[1], value))
        case .clampMin: return Swift.max(scalars[0], value)
        case .clampMax: return Swift.min(scalars[0], value)
        default: return value
        }
    }
}
