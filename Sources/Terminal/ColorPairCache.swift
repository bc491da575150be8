/// Colour pairs allocated on demand: (foreground, background) to an ncurses pair number.
///
/// Pair 0 is the terminal's default colours and is never allocated. Pairs are numbered from 1 up
/// to `capacity - 1` (ncurses' `COLOR_PAIRS`); when they run out, further combinations fall back to
/// pair 0 instead of redefining a pair that cells on screen still use.
struct ColorPairCache {
    struct Key: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// ncurses' `COLOR_PAIRS`.
    let capacity: Int
    private var pairs: [Key: Int32] = [:]
    private var next: Int32 = 1

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many pairs have been allocated.
    var allocatedCount: Int { Int(self.next) - 1 }

    /// The pair for `foreground` on `background`, allocating it with `define` the first time.
    ///
    /// - Parameter define: Defines pair `number` (`init_extended_pair`); returns `false` on failure.
    /// - Returns: The pair number, or 0 (default colours) when none is left or `define` failed.
    mutating func pair(
        foreground: Int32,
        background: Int32,
        define: (_ number: Int32, _ foreground: Int32, _ background: Int32) -> Bool
    ) -> Int32 {
        if foreground == ColorMapping.defaultColorNumber, background == ColorMapping.defaultColorNumber { return 0 }
        let key = Key(foreground: foreground, background: background)
        if let pair = self.pairs[key] { return pair }
        guard Int(self.next) < self.capacity, define(self.next, foreground, background) else {
            self.pairs[key] = 0
            return 0
        }
        let pair = self.next
        self.pairs[key] = pair
        self.next += 1
        return pair
    }
}
