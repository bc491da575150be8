/// A state label in its own colours: the circuit breaker's `CLOSED`, `HALF-OPEN`, `OPEN`.
public enum Badge {
    /// The text and role of a breaker state's badge.
    public static func breaker(_ state: BreakerStatus) -> (text: String, role: ThemeRole) {
        switch state {
        case .open: return (" OPEN ", .breakerOpen)
        case .halfOpen: return (" HALF-OPEN ", .breakerHalfOpen)
        default: return (" CLOSED ", .breakerClosed)
        }
    }

    /// Draws the badge of a breaker state.
    ///
    /// - Returns: Columns written.
    @discardableResult
    public static func draw(
        breaker state: BreakerStatus,
        x: Int,
        y: Int,
        maxWidth: Int,
        theme: Theme,
        into grid: inout CellGrid
    ) -> Int {
        let badge = self.breaker(state)
        return grid.write(badge.text, x: x, y: y, style: theme[badge.role], maxWidth: maxWidth)
    }
}
