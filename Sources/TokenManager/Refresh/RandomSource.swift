import Synchronization

/// Where jitter comes from: a uniform `Double` in `0 ..< 1`.
///
/// Injected so tests are deterministic; the default uses the system generator.
public struct RandomSource: Sendable {
    private let next: @Sendable () -> Double

    public init(_ next: @escaping @Sendable () -> Double) { self.next = next }

    /// A uniform value in `0 ..< 1`.
    public func unit() -> Double { min(max(self.next(), 0), 0.999_999_999) }

    public static let system = RandomSource { Double.random(in: 0 ..< 1) }

    /// Always the same value: `fixed(0)` gives no jitter, `fixed(0.999)` the largest.
    public static func fixed(_ value: Double) -> RandomSource { RandomSource { value } }

    /// A seeded SplitMix64 sequence, for reproducible runs.
    public static func seeded(_ seed: UInt64) -> RandomSource {
        let state = Mutex(seed)
        return RandomSource {
            let bits = state.withLock { s -> UInt64 in
                s &+= 0x9E37_79B9_7F4A_7C15
                var z = s
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            return Double(bits >> 11) / Double(1 << 53)
        }
    }
}
