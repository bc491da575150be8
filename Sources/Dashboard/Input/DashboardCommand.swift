/// Something the dashboard cannot do itself and asks the program to do, returned by
/// ``DashboardState/handle(_:)``.
public enum DashboardCommand: Sendable, Hashable {
    /// Refresh the token of the provider with this name now.
    case refreshProvider(String)
    /// Refresh every provider's token now (the user confirmed).
    case refreshAll
    /// Leave the dashboard.
    case quit
}
